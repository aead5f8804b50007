/*
 * Site search over the Pagefind index the build writes in pagefind/.
 *
 * In the header, the link to the programme (what visitors without JavaScript get)
 * becomes a search box that opens the search page. On the search page, the form
 * queries the index, keeps the results of the type and audience chosen, and lists
 * them with the session's badge. Every URL comes from data attributes written by the build,
 * so the site works under a sub-path. No inline script or style (strict CSP); the
 * index's WebAssembly needs 'wasm-unsafe-eval' in script-src (see the operators' guide).
 */
const NNBSP = "\u202f"; // French narrow no-break space, as the build's typography filter writes it

function headerSearchBox() {
  const slot = document.querySelector(".site-search[data-search-page]");
  if (!slot) return;
  const form = document.createElement("form");
  form.className = "site-search__form";
  form.setAttribute("role", "search");
  form.method = "get";
  form.action = slot.getAttribute("data-search-page");
  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = "recherche-en-tete";
  label.textContent = "Rechercher dans le site";
  const input = document.createElement("input");
  input.type = "search";
  input.name = "q";
  input.id = "recherche-en-tete";
  input.placeholder = "Rechercher";
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "site-search__button";
  button.textContent = "Rechercher";
  form.append(label, input, button);
  slot.replaceChildren(form);
}

function plural(count, one, many) {
  return `${count} ${count > 1 ? many : one}`;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search__result";
  const title = document.createElement("h2");
  title.className = "search__title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  item.append(title);
  if (data.meta.type || data.meta.badge) {
    const meta = document.createElement("p");
    meta.className = "search__meta";
    if (data.meta.type) meta.append(data.meta.type);
    if (data.meta.badge) {
      if (data.meta.type) meta.append(" – ");
      const badge = document.createElement("strong");
      badge.className = `badge badge--${data.meta.etat || "ouvert"}`;
      badge.textContent = data.meta.badge;
      meta.append(badge);
    }
    item.append(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search__excerpt";
  // Pagefind's excerpt is the page's own text, escaped, with <mark> around the words found.
  excerpt.innerHTML = data.excerpt;
  item.append(excerpt);
  return item;
}

async function searchPage() {
  const root = document.getElementById("recherche");
  if (!root) return;
  const form = root.querySelector("form");
  const text = document.getElementById("recherche-texte");
  const type = document.getElementById("recherche-type");
  const audience = document.getElementById("recherche-public");
  const status = document.getElementById("recherche-etat");
  const list = document.getElementById("recherche-resultats");
  const bundle = new URL(root.getAttribute("data-bundle"), document.baseURI).href;
  const siteRoot = new URL(root.getAttribute("data-site-root"), document.baseURI).pathname;

  let pagefind;
  try {
    pagefind = await import(`${bundle}pagefind.js`);
    await pagefind.options({ baseUrl: siteRoot });
    await pagefind.init();
  } catch (error) {
    return; // the page's own text (a way to the programme) stays
  }
  document.querySelector(".search-fallback")?.setAttribute("hidden", "");
  root.hidden = false;

  const params = new URLSearchParams(window.location.search);
  text.value = params.get("q") || "";
  type.value = params.get("type") || "";
  audience.value = params.get("public") || "";

  // Type and audience are read from each result's metadata (data-pagefind-meta), not from
  // Pagefind filters: Pagefind 1.5 writes its filter index in a different order on each run,
  // which would break the byte-identical builds. A page without audiences is for everyone.
  function matches(data) {
    if (type.value && data.meta.type !== type.value) return false;
    if (audience.value && data.meta.public && !data.meta.public.split(", ").includes(audience.value)) return false;
    return true;
  }

  async function run() {
    const term = text.value.trim();
    list.replaceChildren();
    if (!term) {
      status.textContent = "Écrivez un ou plusieurs mots, par exemple «\u202frèglement\u202f» ou «\u202faccueil\u202f».";
      return;
    }
    const search = await pagefind.search(term);
    const loaded = await Promise.all(search.results.map((result) => result.data()));
    const found = loaded.filter(matches);
    const what = ` pour «${NNBSP}${term}${NNBSP}»`;
    status.textContent = found.length
      ? `${plural(found.length, "résultat", "résultats")}${what}.`
      : `Aucun résultat${what}. Essayez un autre mot, ou consultez le programme.`;
    list.replaceChildren(...found.map(resultItem));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (text.value.trim()) query.set("q", text.value.trim());
    if (type.value) query.set("type", type.value);
    if (audience.value) query.set("public", audience.value);
    const search = query.toString();
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
    run();
  });
  run();
}

headerSearchBox();
searchPage();
