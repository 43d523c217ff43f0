"""The comment Markdown subset: what renders, and that links only use safe schemes."""

from __future__ import annotations

import pytest

from paperboy.community.markdown import render_comment


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**b** *i* `c`", "<p><strong>b</strong> <em>i</em> <code>c</code></p>\n"),
        ("a\nb", "<p>a<br />\nb</p>\n"),
        ("> q", "<blockquote>\n<p>q</p>\n</blockquote>\n"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n"),
        (
            "[t](https://ok.example/a)",
            '<p><a href="https://ok.example/a" rel="nofollow ugc noopener">t</a></p>\n',
        ),
        (
            "see https://ok.example/x.",
            '<p>see <a href="https://ok.example/x" rel="nofollow ugc noopener">'
            "https://ok.example/x</a>.</p>\n",
        ),
        (
            "[m](mailto:a@example.org)",
            '<p><a href="mailto:a@example.org" rel="nofollow ugc noopener">m</a></p>\n',
        ),
        ("`https://in.code`", "<p><code>https://in.code</code></p>\n"),
        ("<b>raw</b>", "<p>&lt;b&gt;raw&lt;/b&gt;</p>\n"),
        ("[r](/relative)", "<p>[r](/relative)</p>\n"),
        ("# not a heading", "<p># not a heading</p>\n"),
    ],
)
def test_render(text: str, html: str) -> None:
    assert str(render_comment(text)) == html
