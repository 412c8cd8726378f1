"use strict";
// The admin's autocomplete (select2) draws its own combobox beside the hidden
// <select> and leaves it without an accessible name: the combobox is named by its
// text box, which shows only the current choice. Give that text box the select's
// name ("Source, citation 2", "Headquarters region"), for every widget, including
// those of rows added later.
{
    const nameOf = (select) => {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        const name = select.getAttribute("aria-label") || (label && label.textContent) || "";
        return name.replace(/\s*:\s*$/, "").trim();
    };
    const nameAll = () => {
        for (const box of document.querySelectorAll(
            "select + .select2 .select2-selection__rendered:not([aria-label])"
        )) {
            const select = box.closest(".select2").previousElementSibling;
            const name = nameOf(select);
            if (name) box.setAttribute("aria-label", name);
        }
    };
    new MutationObserver(nameAll).observe(document.documentElement, {childList: true, subtree: true});
}
