import { htmlToText } from './html-text';

const text = (html: string) => htmlToText(html).text;

describe('htmlToText', () => {
  it('keeps the content and headings, drops scripts, styles and page furniture', () => {
    const { title, text } = htmlToText(`<!doctype html><html><head><title>Guide</title>
      <style>p{color:red}</style></head><body><header>Site menu</header><nav>Home | About</nav>
      <main><h2>Install &amp; run</h2><p>Run <b>npm ci</b>.</p><script>track()</script></main>
      <aside>Ads</aside><footer>© 2024</footer></body></html>`);
    expect(title).toBe('Guide');
    expect(text).toBe('## Install & run\n\nRun npm ci.');
  });

  // Issue 18 item 10: the shapes of Node's own API docs.
  it('keeps the space a line break made before an inline element', () => {
    expect(
      text(`<p>The <code>child_process.fork()</code> method is a special case of
<a href="#child_processspawn"><code>child_process.spawn()</code></a> used specifically.</p>`),
    ).toBe(
      'The child_process.fork() method is a special case of child_process.spawn() used specifically.',
    );
  });

  it('puts a heading on its own line, without its permalink mark', () => {
    expect(
      text(
        `<div><h2>Trace events<span><a class="mark" href="#trace-events" id="trace-events">#</a></span><a aria-hidden="true" class="legacy" id="tracing_trace_events"></a></h2><p class="api_stability"><a href="documentation.html#stability-index">Stability: 1</a> - Experimental</p></div>`,
      ),
    ).toBe('## Trace events\n\nStability: 1 - Experimental');
    expect(text('<h3>API<a class="headerlink" href="#api">¶</a></h3>Text')).toBe('### API\n\nText');
    expect(text('<p>Before</p><h2><a id="anchor-only"></a></h2><p>After</p>')).toBe(
      'Before\n\nAfter',
    );
  });

  it('separates blocks and cells, and glues only what the source glued', () => {
    expect(text('<div>Intro<ul><li>one</li><li>two</li></ul>Outro</div>')).toBe(
      'Intro\n\none\n\ntwo\n\nOutro',
    );
    expect(
      text('<table><tr><th>Name</th><th>Type</th></tr><tr><td>id</td><td>string</td></tr></table>'),
    ).toBe('Name Type\n\nid string');
    expect(text('<p><b>foo</b><i>bar</i> <span>baz</span>\t<em>qux</em></p>')).toBe(
      'foobar baz qux',
    );
    expect(text('<p>line one<br>line two</p>')).toBe('line one\nline two');
  });

  it('keeps the lines and indentation of preformatted code, markup inside it as text', () => {
    expect(
      text(
        '<p>Example:</p><pre><code class="language-js"><span class="hljs-keyword">const</span> x = {\n  a: 1 &amp;&amp; 2,\n};</code></pre>',
      ),
    ).toBe('Example:\n\nconst x = {\n  a: 1 && 2,\n};');
  });
});
