// The referral stage page: show only the dates and questions the chosen stage needs. Without
// this script every field shows, the server ignores the ones the chosen stage does not need,
// and it checks everything again either way.
const form = document.getElementById("stage-move");

if (form) {
  const radios = Array.from(form.querySelectorAll('input[type="radio"][name="to_stage"]'));
  const stages = radios.map((radio) => radio.value);
  const group = (name) => {
    const input = form.querySelector(`[name="${name}"], [name="${name}_0"]`);
    if (!input) {
      return null;
    }
    // A date's day, month and year each sit in a form group of their own, inside the date's.
    return (input.closest(".govuk-date-input") || input).closest(".govuk-form-group");
  };
  const show = (name, visible) => {
    const element = group(name);
    if (element) {
      element.hidden = !visible;
    }
  };

  const update = () => {
    const chosen = radios.find((radio) => radio.checked);
    const target = chosen ? chosen.value : null;
    const path = stages.filter((stage) => stage !== "closed");
    const passed = target && target !== "closed" ? path.slice(0, path.indexOf(target) + 1) : [];
    for (const stage of path) {
      show(`${stage}_on`, passed.includes(stage));
    }
    show("closed_on", target === "closed");
    show("reason", target === "closed");
    show("intervention_type", passed.includes("intervention"));
    for (const name of ["agreement_reached", "victim_satisfaction", "offender_satisfaction"]) {
      show(name, target === "completed");
    }
  };

  for (const radio of radios) {
    radio.addEventListener("change", update);
  }
  update();
}
