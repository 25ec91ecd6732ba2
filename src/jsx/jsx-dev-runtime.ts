// Vite compiles JSX in tests with the development runtime; it renders exactly as production does.
export { Fragment, jsx as jsxDEV, type JSX } from './jsx-runtime';
