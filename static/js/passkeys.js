// After django-otp-webauthn's script has registered a passkey (it only reports success, with
// an event), go to the page the registration block names: the new backup codes after a first
// factor, or the security page again.
const registration = document.getElementById("passkey-registration");

if (registration) {
  registration.addEventListener("otp_webauthn.register_complete", () => {
    window.location.assign(registration.dataset.doneUrl);
  });
}
