// Live status over the WebSocket: rows and detail pages change status without a
// reload, the bell counts unread notifications, an approver's to-do list refreshes.
// Reconnects with backoff and asks for what it missed (events after the last id).
(function () {
  const KEY = "sw-last-event";
  let delay = 1000;
  let lastId = parseInt(sessionStorage.getItem(KEY) || "0", 10);

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach((el) => { el.textContent = text; el.classList.add("live-updated"); });
  }

  function onStatus(event) {
    if (event.id && event.id > lastId) {
      lastId = event.id;
      sessionStorage.setItem(KEY, String(lastId));
    }
    if (event.subject === "application") {
      setText(`[data-number="${event.number}"] .status`, event.status_label);
      setText(`#status[data-number="${event.number}"]`, event.status_label);
    } else if (event.subject === "certificate") {
      setText(`[data-certificate="${event.certificate_number}"] .customs-status`, event.status_label);
      setText(`#customs-status[data-certificate="${event.certificate_number}"]`, event.status_label);
    }
  }

  function refreshQueue() {
    const list = document.querySelector("[data-live-queue]");
    if (!list) return;
    fetch(window.location.href, { headers: { "X-Requested-With": "live" } })
      .then((response) => response.text())
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-queue]");
        if (fresh) list.replaceWith(fresh);
      });
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/status/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      socket.send(JSON.stringify({ type: "catch_up", after: lastId }));
    });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "status") onStatus(data);
      if (data.type === "notification") { onStatus(data); setText("#bell-count", data.unread); }
      if (data.type === "unread" || data.type === "hello") setText("#bell-count", data.unread);
      if (data.type === "queue") refreshQueue();
      document.dispatchEvent(new CustomEvent("sw:live", { detail: data }));
    });
    socket.addEventListener("close", () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
    window.swSocket = socket;
  }

  // The page was rendered with everything up to this event: catch up from there.
  const rendered = document.querySelector("[data-latest-event]");
  if (rendered) lastId = Math.max(lastId, parseInt(rendered.dataset.latestEvent, 10) || 0);
  connect();
})();
