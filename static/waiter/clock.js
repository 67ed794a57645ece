// Clock in / clock out from the floor's header: "Clock in" or "On shift since 14:05".
// The page starts with the server's answer; the clock-in/out answers keep it current.
import { api, ApiError, newUuid, paths } from "./api.js";
import { h, setBusy, showDialog, toast } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { clockTime } from "./orderlabel.js";

function duration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours ? interpolate(gettext("%(hours)s h %(minutes)s min"), { hours, minutes: rest }, true) : interpolate(gettext("%s min"), [rest]);
}

function minutesSince(iso) {
  return Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
}

/** createClock(button) -> {fromMe(me)}: wires the button and keeps its label current. */
export function createClock(button) {
  // since: ISO time of clocking in; null with onShift true means "on shift, start unknown".
  let onShift = button.dataset.onShift === "true";
  let since = button.dataset.since || null;

  function render() {
    button.dataset.onShift = onShift ? "true" : "false";
    button.dataset.since = since || "";
    if (onShift && since) button.textContent = interpolate(gettext("On shift since %s"), [clockTime(since)]);
    else button.textContent = onShift ? gettext("On shift") : gettext("Clock in");
    button.title = onShift ? gettext("Tap to clock out") : "";
  }

  function set(shiftStart, isOnShift = Boolean(shiftStart)) {
    since = shiftStart;
    onShift = isOnShift;
    render();
  }

  // The server knows best: after a refusal, ask it where we stand (when it can say).
  async function askServer(fallbackOnShift) {
    try {
      const me = await api("GET", paths.me);
      if ("on_shift_since" in me) {
        set(me.on_shift_since);
        return;
      }
    } catch {
      // Offline: the refusal itself says enough.
    }
    set(fallbackOnShift ? since : null, fallbackOnShift);
  }

  async function clockIn() {
    setBusy(button, true);
    try {
      const shift = await api("POST", paths.clockIn, { key: newUuid(), body: {} });
      set(shift.clocked_in_at);
      toast(interpolate(gettext("Clocked in at %s."), [clockTime(shift.clocked_in_at)]), "ok");
    } catch (error) {
      // 400 "You are already clocked in." (another tablet did it): say so and show it.
      toast(error.message, error instanceof ApiError && error.status === 400 ? "info" : "error");
      if (error instanceof ApiError && error.status === 400) await askServer(true);
    } finally {
      setBusy(button, false);
    }
  }

  async function clockOut(confirmButton, dialog) {
    setBusy(confirmButton, true);
    try {
      const shift = await api("POST", paths.clockOut, { key: newUuid(), body: {} });
      dialog.close();
      set(null);
      const worked = shift.duration_minutes ?? minutesSince(shift.clocked_in_at);
      toast(interpolate(gettext("Clocked out at %(time)s after %(duration)s."), { time: clockTime(shift.clocked_out_at), duration: duration(worked) }, true), "ok");
    } catch (error) {
      dialog.close();
      // 400 "You are not clocked in." (clocked out elsewhere): say so and show it.
      toast(error.message, error instanceof ApiError && error.status === 400 ? "info" : "error");
      if (error instanceof ApiError && error.status === 400) await askServer(false);
    }
  }

  function askClockOut() {
    const confirm = h("button", { type: "button", class: "button button--primary", "data-action": "clock-out" }, gettext("Clock out"));
    const dialog = h(
      "dialog",
      { class: "sheet clock-dialog", "aria-labelledby": "clock-title" },
      h("h2", { id: "clock-title", class: "sheet__title" }, gettext("Clock out?")),
      h(
        "p",
        { class: "sheet__text" },
        since
          ? interpolate(gettext("On shift since %(time)s (%(duration)s)."), { time: clockTime(since), duration: duration(minutesSince(since)) }, true)
          : gettext("You are on shift."),
      ),
      h(
        "footer",
        { class: "sheet__actions" },
        h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
        confirm,
      ),
    );
    confirm.addEventListener("click", () => clockOut(confirm, dialog));
    showDialog(dialog);
  }

  button.addEventListener("click", () => (onShift ? askClockOut() : clockIn()));
  render();

  return {
    // GET /api/staff/me/ says since when we are on shift (when the server tells).
    fromMe(me) {
      if (me && "on_shift_since" in me) set(me.on_shift_since);
    },
  };
}
