// Stylesheets imported for their effect: Vite bundles them into dist/assets/*.css.
declare module '*.css';
