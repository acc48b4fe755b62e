namespace NewsCms.Tests.Infrastructure;

/// <summary>
/// Script injection attempts, shared by the sanitizer's unit tests and the browser test that saves them in every field
/// a person can fill and renders every page type. Vectors either open a dialog (alert) or set window.__xss.
/// </summary>
public static class XssCorpus
{
    public static readonly string[] Vectors =
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<script/xss src=//evil.test></script>",
        "<<script>alert(1);//<</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"javascript:alert(1)\">",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        "<img src=`javascript:alert(1)`>",
        "<img \"\"\"><script>alert(1)</script>\">",
        "<body onload=alert(1)>",
        "<p onclick=\"alert(1)\">click</p>",
        "<p onmouseover=alert(1)>hover</p>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JAVASCRIPT:alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"java\0script:alert(1)\">x</a>",
        "<a href=\"#\" onfocus=alert(1) autofocus>x</a>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><input type=submit></form>",
        "<button formaction=\"javascript:alert(1)\">x</button>",
        "<input onfocus=alert(1) autofocus>",
        "<select onfocus=alert(1) autofocus>",
        "<textarea onfocus=alert(1) autofocus>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=alert(1)></video>",
        "<audio src=x onerror=alert(1)>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        "<p style=\"width:expression(alert(1))\">x</p>",
        "<div style=\"behavior:url(xss.htc)\">x</div>",
        "<p style=\"-moz-binding:url(//evil.test/xss.xml#xss)\">x</p>",
        "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
        "<div/onmouseover='alert(1)'>x</div>",
        "<a href=x onmouseover=alert(1)//>x</a>",
        "<p title=\"</p><script>alert(1)</script>\">x</p>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<template><script>alert(1)</script></template>",
        "<xmp><script>alert(1)</script></xmp>",
        "<isindex action=javascript:alert(1) type=submit>",
        "<aside class=\"see-also\" data-article-id=\"1\" onclick=\"alert(1)\"><a href=\"javascript:alert(1)\">x</a></aside>",
        "<span data-article-id=\"x\" onpointerenter=alert(1)>x</span>",
        "<a href=\"https://ok.test\" target=\"javascript:alert(1)\">x</a>",
        "<blockquote cite=\"javascript:alert(1)\">x</blockquote>",
        "<h2 id=\"x\" onanimationstart=alert(1) style=\"animation-name:x\">x</h2>",
        "<ul><li onclick=alert(1)>x</li></ul>",
        "\"><script>alert(1)</script>",
        "<img src=1 onerror=\"&#97;&#108;&#101;&#114;&#116;(1)\">",
        // Breaking out of the text and attribute contexts plain-text fields are written into.
        "\"><img src=x onerror=window.__xss=1>",
        "'><svg/onload=window.__xss=1>",
        "</title><script>window.__xss=1</script>",
        "</script><script>window.__xss=1</script>",
        "</textarea><script>window.__xss=1</script>",
        "</style><script>window.__xss=1</script>",
        "\" onmouseover=\"window.__xss=1",
        "' onfocus='window.__xss=1' autofocus='",
        "\" autofocus onfocus=\"window.__xss=1",
        "javascript:window.__xss=1",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "{{constructor.constructor('window.__xss=1')()}}",
        "${alert(1)}",
        "<img src=x onerror=window.__xss=1>",
        "<svg><set onbegin=window.__xss=1 attributeName=x to=1>",
        "<body onpageshow=window.__xss=1>",
        "<img src=x:x onerror=window.__xss=1>",
        "<video poster=javascript:window.__xss=1>",
        "<input type=image src=x onerror=window.__xss=1>",
        "<object type=text/html data=\"data:text/html,<script>parent.__xss=1</script>\"></object>",
        "<a href=\"java&#115;cript:window.__xss=1\">x</a>",
        "<a href=\"&#0000106avascript:window.__xss=1\">x</a>",
        "<a href=\"javascript://%0Awindow.__xss=1\">x</a>",
        "<a href=\"\u0001javascript:window.__xss=1\">x</a>",
        "<img srcset=\"x\" onerror=window.__xss=1>",
        "<picture><source srcset=x onerror=window.__xss=1><img src=x></picture>",
        "<div onpointerover=window.__xss=1 style=\"position:fixed;inset:0\">x</div>",
        "<p contenteditable onfocus=window.__xss=1 autofocus>x</p>",
        "<img src=x onerror=\"eval(atob('d2luZG93Ll9feHNzPTE='))\">",
        "<a href=\"#\" onclick=\"window.__xss=1\" id=\"x\">x</a>",
        "<svg><foreignObject><img src=x onerror=window.__xss=1></foreignObject></svg>",
        "<math href=\"javascript:window.__xss=1\">x</math>",
        "<form><button formaction=javascript:window.__xss=1>x</button></form>",
        "<keygen autofocus onfocus=window.__xss=1>",
        "<frameset onload=window.__xss=1>",
        "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
        "&lt;script&gt;window.__xss=1&lt;/script&gt;",
        "<scr\u0000ipt>window.__xss=1</scr\u0000ipt>",
        "<img/src/onerror=window.__xss=1>",
        "<svg><style><img src=x onerror=window.__xss=1></style></svg>",
        // Embeds (issue 15): a hostile link, handlers and a smuggled player address on an embed figure.
        "<figure class=\"embed\" data-provider=\"youtube\"><a href=\"javascript:window.__xss=1\">x</a></figure>",
        "<figure class=\"embed\" data-provider=\"youtube\" onmouseover=window.__xss=1 data-embed-src=\"javascript:window.__xss=1\"><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\" onclick=window.__xss=1>x</a><iframe src=\"javascript:window.__xss=1\"></iframe></figure>",
    ];

    /// <summary>
    /// Consecutive vectors joined into texts of at most <paramref name="max"/> characters; together they hold every
    /// vector that fits (many vectors per record, so each page loads a handful of times, not once per vector).
    /// </summary>
    public static List<string> Pack(int max)
    {
        var texts = new List<string>();
        var current = "";
        foreach (var vector in Vectors.Where(v => v.Length <= max))
        {
            if (current.Length > 0 && current.Length + 1 + vector.Length > max)
            {
                texts.Add(current);
                current = "";
            }
            current = current.Length == 0 ? vector : current + " " + vector;
        }
        if (current.Length > 0) texts.Add(current);
        return texts;
    }

    /// <summary>The <paramref name="index"/>-th packed text, wrapping around.</summary>
    public static string Nth(List<string> texts, int index) => texts[index % texts.Count];
}
