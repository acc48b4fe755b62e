namespace NewsCms.Web.Features.WordPress;

/// <summary>
/// An image found in a post's body: its URL there (a resized file such as photo-300x200.jpg, or empty for a
/// [gallery] id), the attachment id when WordPress recorded one (block "id", class wp-image-N, [caption id=…],
/// [gallery ids=…]), its alt text and its caption (figcaption or [caption] text), both plain text.
/// </summary>
public sealed record WxrImage(string Url, int? AttachmentId, string Alt, string Caption);

/// <summary>
/// What the importer provides to the body conversion.
/// <para><see cref="ImageHtml"/> puts the image into the media library and returns the markup to insert
/// (<c>&lt;img src="/media/…" alt="…" width="…" height="…"&gt;</c>), or null when the file is missing: the image is then
/// left out with a warning.</para>
/// <para><see cref="RewriteLink"/> gets every link's href and returns the new URL of an internal link, or null to keep
/// the link as it is.</para>
/// </summary>
public sealed record WordPressConversionContext(
    Func<WxrImage, CancellationToken, Task<string?>> ImageHtml,
    Func<string, string?> RewriteLink);

/// <summary>
/// A post's body in NewsCms's HTML policy (already sanitized by <c>ArticleHtml</c>), and one warning in words for
/// each thing that did not come across as it was ("an &lt;iframe&gt; from example.com was removed").
/// </summary>
public sealed record ConvertedBody(string Html, IReadOnlyList<string> Warnings);
