using NewsCms.Web.Components.Layout;

namespace NewsCms.Tests.Unit;

/// <summary>The site logo is never stretched past two device pixels per CSS pixel, where phones would show it blurred.</summary>
public sealed class SiteLogoTests
{
    [Theory]
    [InlineData(200, 60)]
    [InlineData(120, 60)]
    [InlineData(100, 50)]
    [InlineData(60, 30)]
    [InlineData(1, 1)]
    public void A_logo_shows_at_most_60_px_tall_and_at_most_half_its_own_height(int naturalHeight, int shown) =>
        Assert.Equal(shown, PublicLayout.LogoDisplayHeight(naturalHeight));
}
