// Searchable, keyboard-operable picker for reference lists (see ReferencePicker).
(function () {
  "use strict";

  function setup(root) {
    if (root.dataset.refReady) return;
    root.dataset.refReady = "1";
    const input = root.querySelector("[data-ref-input]");
    const multiple = "multiple" in root.dataset;
    const chips = root.querySelector(".ref-picker__chips");
    // A multiple picker keeps no single value: each chip carries its own hidden input.
    const hidden = root.querySelector("[data-ref-value]") || document.createElement("input");
    const list = root.querySelector("[role=listbox]");
    let options = [];
    let active = -1;
    let chosenLabel = input.value;
    let timer = null;
    let seq = 0;
    let pending = false; // a search for the current text has not answered yet
    let enterWhilePending = false;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function removeChip(chip) {
      // Focus stays near: the next chip's ×, else the previous one's (not the input,
      // whose focus would open the list over the page).
      const near = chip.nextElementSibling || chip.previousElementSibling;
      const hadFocus = chip.contains(document.activeElement);
      chip.remove();
      root.dispatchEvent(new CustomEvent("ref-picker:change", { bubbles: true }));
      if (hadFocus && near) near.querySelector(".ref-picker__remove").focus();
    }

    function addChip(option) {
      if (chips.querySelector('[data-id="' + option.id + '"]')) return;
      const li = document.createElement("li");
      li.className = "ref-picker__chip";
      li.dataset.id = option.id;
      const value = document.createElement("input");
      value.type = "hidden";
      value.name = root.dataset.name;
      value.value = option.id;
      const text = document.createElement("span");
      text.textContent = option.label;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "ref-picker__remove";
      remove.setAttribute("aria-label", root.dataset.remove + " " + option.label);
      remove.textContent = "×";
      li.append(value, text, " ", remove);
      chips.appendChild(li);
    }

    if (multiple) {
      chips.addEventListener("click", (event) => {
        const button = event.target.closest(".ref-picker__remove");
        if (button) removeChip(button.closest(".ref-picker__chip"));
      });
    }

    function choose(index) {
      const option = options[index];
      if (!option) return;
      if (multiple) {
        addChip(option);
        input.value = "";
        chosenLabel = "";
        close();
        root.dispatchEvent(new CustomEvent("ref-picker:change", { bubbles: true, detail: option }));
        return;
      }
      hidden.value = option.id;
      input.value = option.label;
      chosenLabel = option.label;
      close();
      root.dispatchEvent(new CustomEvent("ref-picker:change", { bubbles: true, detail: option }));
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render() {
      list.innerHTML = "";
      if (!options.length) {
        const li = document.createElement("li");
        li.className = "ref-picker__empty";
        li.textContent = root.dataset.empty;
        list.appendChild(li);
      }
      options.forEach((option, i) => {
        const li = document.createElement("li");
        li.id = input.id + "_opt_" + i;
        li.setAttribute("role", "option");
        li.textContent = option.label;
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(options.length ? 0 : -1);
    }

    function search(attempt) {
      const mine = ++seq;
      const tries = attempt || 1;
      pending = true;
      const url = new URL(root.dataset.url, window.location.href);
      url.searchParams.set("q", input.value);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then((data) => {
          if (mine !== seq) return;
          pending = false;
          options = data.results;
          render();
          if (enterWhilePending) {
            enterWhilePending = false;
            if (options.length) choose(0);
          }
        })
        .catch(() => {
          // A dropped connection or a busy server: ask again (twice), then say so.
          if (mine !== seq) return;
          if (tries < 3) {
            setTimeout(() => {
              if (mine === seq) search(tries + 1);
            }, 250 * tries);
            return;
          }
          pending = false;
          enterWhilePending = false;
          options = [];
          list.innerHTML = "";
          const li = document.createElement("li");
          li.className = "ref-picker__empty";
          li.textContent = root.dataset.failed || root.dataset.empty;
          list.appendChild(li);
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        });
    }

    input.addEventListener("input", () => {
      if (!input.value.trim()) hidden.value = "";
      // Answers to earlier text are stale from now on.
      seq++;
      pending = true;
      close();
      list.innerHTML = "";
      options = [];
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("focus", () => {
      if (!input.value) search();
    });
    input.addEventListener("keydown", (event) => {
      if (multiple && event.key === "Backspace" && !input.value && chips.lastElementChild) {
        event.preventDefault();
        removeChip(chips.lastElementChild);
      } else if (event.key === " " && !input.value) {
        // As in the single window's own screens: Space on an empty field lists everything.
        event.preventDefault();
        search();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) return search();
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (pending) {
          // Typed fast and pressed Enter: take the first match when it arrives.
          event.preventDefault();
          enterWhilePending = true;
        } else if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", () => {
      close();
      // Typed text that was never chosen must not look like a choice.
      if (multiple) input.value = "";
      else if (input.value !== chosenLabel) input.value = hidden.value ? chosenLabel : "";
    });
  }

  function scan(node) {
    (node.querySelectorAll ? node.querySelectorAll("[data-ref-picker]") : []).forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", () => scan(document));
  new MutationObserver((mutations) => {
    mutations.forEach((m) => m.addedNodes.forEach((n) => n.nodeType === 1 && scan(n)));
  }).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState !== "loading") scan(document);
})();
