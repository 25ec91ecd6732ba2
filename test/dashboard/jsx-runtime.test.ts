import { describe, expect, it } from 'vitest';
import { raw } from 'hono/html';
import { Fragment as HonoFragment, jsx as honoJsx } from 'hono/jsx/jsx-runtime';
import { Fragment, jsx, jsxs } from '../../src/jsx/jsx-runtime';

const text = (element: unknown): string => String(element);

describe('the pages’ JSX runtime', () => {
  it('escapes text and attribute values the way Hono does', () => {
    const element = jsx('a', { href: '/x?a=1&b="2"', title: "it's <b>", children: '<script>alert(1)</script> & co' });
    expect(text(element)).toBe('<a href="/x?a=1&amp;b=&quot;2&quot;" title="it&#39;s &lt;b&gt;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a>');
  });

  it('passes already escaped strings through, once', () => {
    expect(text(jsx('p', { children: [raw('<b>bold</b>'), jsx('i', { children: 'a < b' })] }))).toBe('<p><b>bold</b><i>a &lt; b</i></p>');
    expect(text(jsx('p', { children: jsx('span', { children: '&' }) }))).toBe('<p><span>&amp;</span></p>');
  });

  it('writes boolean attributes by presence and leaves out null, undefined, false children and event handlers', () => {
    const element = jsxs('input', { type: 'checkbox', checked: true, disabled: false, value: undefined, 'data-x': null, onclick: () => undefined, 'aria-hidden': true });
    expect(text(element)).toBe('<input type="checkbox" checked="" aria-hidden="true"/>');
    expect(text(jsx('ul', { children: [null, undefined, false, true, 0, 'a'] }))).toBe('<ul>0a</ul>');
  });

  it('closes void elements and renders components, fragments, numbers and className', () => {
    const Row = (props: Record<string, unknown>) => jsx('tr', { className: 'row', children: [jsx('td', { children: props.label }), jsx('td', { children: 3 })] });
    expect(text(jsx(Fragment, { children: [jsx(Row, { label: 'x&y' }), jsx('br', {})] }))).toBe('<tr class="row"><td>x&amp;y</td><td>3</td></tr><br/>');
    expect(text(jsx('svg', { viewBox: '0 0 10 10', children: jsx('path', { d: 'M0 0', 'stroke-width': 2 }) }))).toBe('<svg viewBox="0 0 10 10"><path d="M0 0" stroke-width="2"></path></svg>');
  });

  it('renders a page-like tree exactly as hono/jsx, which the pages used before', () => {
    type Runtime = { jsx: (tag: unknown, props: Record<string, unknown>) => unknown; Fragment: unknown };
    const page = ({ jsx: h, Fragment: fragment }: Runtime) => {
      const Cell = (props: Record<string, unknown>) => h('td', { class: 'num', title: props.title, children: props.children });
      return h('html', {
        lang: 'en',
        children: [
          h('head', { children: [h('meta', { charset: 'utf-8' }), h('title', { children: 'Keys · polyrelay' }), h('script', { src: '/a.js', defer: true, children: [] })] }),
          h('body', {
            children: h(fragment, {
              children: [
                h('form', { method: 'post', action: '/d?x=1&y=2', children: [h('input', { type: 'hidden', name: 'csrf', value: 'a"b' }), h('select', { name: 'plan', children: [h('option', { value: 'p', selected: true, children: 'Pro <5>' }), h('option', { value: 'q', selected: false, children: "O'Brien" })] })] }),
                h('table', { children: h('tr', { children: [h(Cell, { title: '1 & 2', children: 12 }), h(Cell, { children: ['a', null, false, 'b'] })] }) }),
                h('svg', { viewBox: '0 0 4 4', role: 'img', children: h('rect', { x: 0, y: 1, width: 2, height: 3, 'data-v': 'x>y' }) }),
              ],
            }),
          }),
        ],
      });
    };
    expect(String(page({ jsx: jsx as Runtime['jsx'], Fragment }))).toBe(String(page({ jsx: honoJsx as Runtime['jsx'], Fragment: HonoFragment })));
  });

  it('refuses tag and attribute names that would break out of the tag, and async components', () => {
    expect(() => jsx('a onmouseover=x', {})).toThrow(/invalid JSX tag name/);
    expect(() => jsx('a', { 'x"><script>': 1 })).toThrow(/invalid JSX attribute name/);
    expect(() => jsx('p', { children: Promise.resolve('late') })).toThrow(/async components/);
  });
});
