// A tiny element builder. Text is always set as text (never parsed as HTML): every string the
// page shows comes from governance or a result, and none of it may become markup.
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined | ((event: Event) => void)>;

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.replace(/^on/, ""), value);
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function table(headers: string[], rows: Child[][], testid?: string): HTMLElement {
  return h(
    "table",
    { "data-testid": testid },
    h("thead", {}, h("tr", {}, ...headers.map((name) => h("th", {}, name)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", {}, cell))))),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", {}, h("h2", {}, title), ...children);
}

export function badge(text: string, kind: "ok" | "warn" | "bad" | "plain" = "plain"): HTMLElement {
  return h("span", { class: `badge ${kind}` }, text);
}
