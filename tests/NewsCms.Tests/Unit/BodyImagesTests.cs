using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Unit;

public sealed class BodyImagesTests
{
    private const string Key = "0123456789abcdef01234567";

    private static MediaImage Image(string caption, string credit) => new(7, Key, "pier.jpg", "jpeg", 1400, 900, 123_456, [320, 640],
        "The pier", caption, credit, DateTime.UtcNow, "user-1", "Jane Doe", "jpeg");

    [Theory]
    [InlineData("Jane Doe / Coast Agency")]
    [InlineData("Photo: Jane Doe / Coast Agency")]
    public void A_body_image_shows_its_caption_and_credit_like_the_featured_image(string credit)
    {
        var body = ArticleHtml.Sanitize($"<p>Before.</p><img src=\"/media/{Key}/640.webp\" alt=\"The pier\" width=\"640\" height=\"411\"><p>After.</p>");

        var html = BodyImages.WithCaptions(body, [Image("Waves broke over the pier <b>at dawn</b>.", credit)]);

        Assert.Equal("<p>Before.</p><figure class=\"article__figure article__figure--body\">" +
            $"<img src=\"/media/{Key}/640.webp\" alt=\"The pier\" width=\"640\" height=\"411\" loading=\"lazy\">" +
            "<figcaption>Waves broke over the pier &lt;b&gt;at dawn&lt;/b&gt;. <span class=\"article__credit\">Photo: Jane Doe / Coast Agency</span></figcaption>" +
            "</figure><p>After.</p>", html);
        Assert.Equal([Key], BodyImages.StorageKeys(body));
    }

    [Fact]
    public void Images_without_caption_or_credit_and_unknown_images_stay_as_they_are()
    {
        var body = ArticleHtml.Sanitize($"<img src=\"/media/{Key}/640.webp\" alt=\"x\"><img src=\"/media/ffffffffffffffffffffffff/320.webp\" alt=\"y\">");
        Assert.Equal(body, BodyImages.WithCaptions(body, [Image("", "")]));
        Assert.Contains("<figcaption><span class=\"article__credit\">Photo: Jane</span></figcaption>", BodyImages.WithCaptions(body, [Image("", "Jane")]));
    }
}
