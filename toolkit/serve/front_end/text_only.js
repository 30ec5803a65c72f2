/* Stands in for sanitize-html in the bundle (page_bundle.ESBUILD_ARGS
   aliases it): ipywidgets runs a description through it only when a
   widget sets description_allow_html, which no widget of the kit does, and
   sanitize-html with its parser is a fifth of the bundle. Should one ever
   set it, its description is shown as text, never as HTML. */
export default function textOnly(html) {
  const box = document.createElement("div");
  box.textContent = String(html);
  return box.innerHTML;
}
