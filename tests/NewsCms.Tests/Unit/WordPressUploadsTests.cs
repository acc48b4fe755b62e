using NewsCms.Web.Features.WordPress;

namespace NewsCms.Tests.Unit;

/// <summary>WxrUploads: where an attachment's or a body image's file sits in the uploads folder.</summary>
public class WordPressUploadsTests
{
    private static WxrItem Attachment(string url, string? attachedFile) =>
        new(20, "attachment", "inherit", "harbour", "", "", "harbour", "editor", "", "", null, null, 21, 0, false, url, [],
            attachedFile is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["_wp_attached_file"] = attachedFile }, 0);

    [Theory]
    [InlineData("https://oldnews.example/wp-content/uploads/2024/03/harbour.jpg", "2024/03/harbour.jpg")]
    [InlineData("https://oldnews.example/blog/wp-content/uploads/2024/03/caf%C3%A9.jpg", "2024/03/café.jpg")]
    [InlineData("https://oldnews.example/wp-content/uploads/sites/3/2024/03/a.jpg", "2024/03/a.jpg")]
    [InlineData("https://oldnews.example/files/2011/05/a.jpg", "2011/05/a.jpg")]
    [InlineData("https://oldnews.example/wp-content/uploads/2024/03/a.jpg?resize=300%2C200", "2024/03/a.jpg")]
    [InlineData("https://cdn.example/images/a.jpg", null)]
    [InlineData("https://oldnews.example/wp-content/uploads/../../wp-config.php", null)]
    [InlineData("https://oldnews.example/wp-content/uploads/2024/%2e%2e/%2e%2e/secret.jpg", null)]
    [InlineData("", null)]
    public void A_url_gives_its_path_inside_the_uploads_folder(string url, string? expected) =>
        Assert.Equal(expected, WxrUploads.RelativePath(url));

    [Fact]
    public void An_attachment_prefers_its_attached_file_meta()
    {
        Assert.Equal("2024/03/harbour.jpg", WxrUploads.RelativePath(Attachment("https://cdn.example/x.jpg", "2024/03/harbour.jpg")));
        Assert.Equal("2024/03/harbour.jpg", WxrUploads.RelativePath(Attachment("https://oldnews.example/wp-content/uploads/2024/03/harbour.jpg", null)));
        Assert.Null(WxrUploads.RelativePath(Attachment("https://oldnews.example/wp-content/uploads/2024/03/harbour.jpg", "/etc/passwd")));
        Assert.Null(WxrUploads.RelativePath(Attachment("", "..\\..\\boot.ini")));
    }

    [Theory]
    [InlineData("2024/03/harbour.jpg", new[] { "2024/03/harbour.jpg" })]
    [InlineData("2024/03/harbour-300x200.jpg", new[] { "2024/03/harbour-300x200.jpg", "2024/03/harbour.jpg" })]
    [InlineData("2024/03/harbour-scaled.jpg", new[] { "2024/03/harbour-scaled.jpg", "2024/03/harbour.jpg" })]
    [InlineData("2024/03/harbour-1024x683-scaled.jpeg", new[] { "2024/03/harbour-1024x683-scaled.jpeg", "2024/03/harbour-1024x683.jpeg", "2024/03/harbour.jpeg" })]
    public void A_resized_file_also_names_its_original(string path, string[] expected) =>
        Assert.Equal(expected, WxrUploads.Candidates(path));
}
