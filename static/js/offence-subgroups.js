// The referral form: offer only the subgroups of the chosen offence group. Without this script
// every subgroup shows, and the server refuses a subgroup from another group either way.
const group = document.querySelector("select[data-offence-group]");
const subgroup = document.querySelector('select[name="offence_subgroup"]');

if (group && subgroup) {
  const narrow = () => {
    for (const option of subgroup.options) {
      if (!option.dataset.group) {
        continue; // "None" stays
      }
      const fits = option.dataset.group === group.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) {
        subgroup.value = "";
      }
    }
  };
  group.addEventListener("change", narrow);
  narrow();
}
