/** Handlebars templates are imported as text (esbuild's text loader; a vite plugin in tests). */
declare module '*.hbs' {
  const text: string;
  export default text;
}
