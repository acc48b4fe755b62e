namespace NewsCms.Web.Components.Admin.Articles;

/// <summary>One image of a gallery as the editor inserts it: a media-library variant with the story's alt text.</summary>
public sealed record GalleryImage(string Src, string Alt, int Width, int Height);
