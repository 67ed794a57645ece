// A WebSocket that reconnects with backoff, notices a dead link by pinging, and asks
// the page to resync (fetch the truth from the API) every time it (re)connects. The
// server's keep-alive says where the database is, so a page that missed a message
// (Redis down) notices it within seconds while the socket stays open.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15000;
const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 45000;

/**
 * liveSocket("/ws/outlets/1/floor/", {onMessage, onResync, onStatus, onRefused})
 * `path` may be a function, asked again on every (re)connect (a kitchen screen adds
 * "?after=<last number>"). onStatus(true|false) reports connected/offline; onRefused(code)
 * runs when a connection closed without ever opening (signed out, network down: code
 * 1006) or was closed with 4401 (signed out) or 4403 (not allowed).
 * Returns {connected, send(message)}; send() drops the message while offline.
 */
export function liveSocket(path, { onMessage, onResync, onStatus, onRefused }) {
  let socket = null;
  let delay = FIRST_DELAY_MS;
  let retryTimer = null;
  let pingTimer = null;
  let lastHeard = 0;

  const url = () =>
    `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${typeof path === "function" ? path() : path}`;

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    let opened = false;
    const current = new WebSocket(url());
    socket = current;
    current.onopen = () => {
      opened = true;
      delay = FIRST_DELAY_MS;
      lastHeard = Date.now();
      onStatus?.(true);
      startPinging();
      onResync?.();
    };
    current.onmessage = (event) => {
      lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type !== "pong") onMessage?.(message);
    };
    current.onclose = (event) => {
      if (socket !== current) return; // replaced already
      lost();
      // 4401 signed out, 4403 not allowed: the server said so after accepting.
      if (!opened || event.code === 4401 || event.code === 4403) onRefused?.(event.code);
    };
  }

  function lost() {
    stopPinging();
    socket = null;
    onStatus?.(false);
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    const wait = delay * (0.75 + Math.random() * 0.5);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    retryTimer = setTimeout(connect, wait);
  }

  function startPinging() {
    stopPinging();
    pingTimer = setInterval(() => {
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - lastHeard > SILENCE_LIMIT_MS) {
        // A dead link may take minutes to close by itself: drop it and start again.
        const dead = socket;
        socket = null;
        dead.onclose = null;
        dead.close();
        lost();
        return;
      }
      socket.send(JSON.stringify({ type: "ping" }));
    }, PING_EVERY_MS);
  }

  function stopPinging() {
    clearInterval(pingTimer);
    pingTimer = null;
  }

  function reconnectNow() {
    if (socket) return;
    delay = FIRST_DELAY_MS;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
  connect();

  return {
    get connected() {
      return Boolean(socket && socket.readyState === WebSocket.OPEN);
    },
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
  };
}

/**
 * versionWatch(onMoved) -> {reset(), check(version)}, for a socket whose keep-alive carries a
 * version of what the page shows (the floor, a bill). After each (re)connect (reset() in
 * onResync) the first version is the baseline: the server reads it before accepting, and
 * the page loads after connecting. A later version that differs means the page may have
 * missed a message: onMoved() fetches again. (A message that did arrive moves it too,
 * which costs one extra fetch.)
 */
export function versionWatch(onMoved) {
  let known = null;
  return {
    reset() {
      known = null;
    },
    check(version) {
      if (version === undefined) return;
      if (known === null) {
        known = version;
        return;
      }
      if (version !== known) {
        known = version;
        onMoved();
      }
    },
  };
}
