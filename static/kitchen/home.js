// The kitchen person's page: the station screens and the 86 board are links; sign out here.
import { api, paths } from "/static/waiter/api.js";

document.getElementById("sign-out").addEventListener("click", async () => {
  await api("POST", paths.signOut).catch(() => {});
  location.assign(paths.signInPage);
});
