using NewsCms.Web.Components.Public;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Unit;

/// <summary>The search result's truncation, the preview's fallbacks, the time-zone list and listing times.</summary>
public sealed class SearchPreviewRulesTests
{
    private static readonly Uri Site = new("https://news.example.com/");

    [Fact]
    public void A_title_that_fits_600_pixels_is_shown_whole()
    {
        var title = SearchSnippet.Title("Harbour reopens after the storm — The Coast Gazette");
        Assert.False(title.Cut);
        Assert.Equal("Harbour reopens after the storm — The Coast Gazette", title.Text);
    }

    [Fact]
    public void A_long_title_is_cut_at_a_word_with_an_ellipsis_and_fits_the_line()
    {
        var text = "Council approves the new harbour budget after a long night of debate over ferries, fishing quotas and the old lighthouse";
        var title = SearchSnippet.Title(text);

        Assert.True(title.Cut);
        Assert.EndsWith(" …", title.Text);
        Assert.True(SearchSnippet.TitleWidth(title.Text) <= SearchSnippet.TitlePixelLimit, $"{SearchSnippet.TitleWidth(title.Text)} px");
        var kept = title.Text[..^2];
        Assert.StartsWith(kept, text);
        Assert.Equal(' ', text[kept.Length]); // cut between words, not inside one
    }

    [Fact]
    public void Wide_letters_fill_the_title_line_sooner_than_narrow_ones()
    {
        // Same number of characters; Google measures pixels, so capitals are cut and small narrow letters are not.
        var narrow = string.Join(' ', Enumerable.Repeat("little", 10)); // 69 characters
        var wide = string.Join(' ', Enumerable.Repeat("WMWMWM", 10));
        Assert.False(SearchSnippet.Title(narrow).Cut);
        Assert.True(SearchSnippet.Title(wide).Cut);
        Assert.True(narrow.Length > SearchSnippet.TitleCharacterGuide);
    }

    [Fact]
    public void A_description_is_cut_at_about_160_characters_at_a_word()
    {
        var shortText = new string('a', 160);
        Assert.False(SearchSnippet.Description(shortText).Cut);

        var text = string.Join(' ', Enumerable.Repeat("harbour", 30)); // 239 characters
        var description = SearchSnippet.Description(text);
        Assert.True(description.Cut);
        Assert.EndsWith("harbour …", description.Text);
        Assert.True(description.Text.Length <= SearchSnippet.DescriptionCharacterLimit);
    }

    [Fact]
    public void A_description_never_splits_an_emoji()
    {
        var text = new string('a', 157) + "😀😀😀😀";
        var cut = SearchSnippet.Description(text).Text;
        Assert.DoesNotContain('\uFFFD', cut);
        Assert.False(char.IsHighSurrogate(cut.TrimEnd(' ', '…')[^1]));
    }

    [Fact]
    public void The_preview_uses_the_fields_the_public_page_emits_with_their_fallbacks()
    {
        var input = new ArticleInput { Headline = "Harbour  reopens", Standfirst = "Boats are back.", Slug = "harbour-reopens" };
        var plain = ArticleSnippet.For(input, "The Coast Gazette", Site);
        Assert.Equal("Harbour reopens — The Coast Gazette", plain.PageTitle); // the <title>, as ArticlePage writes it
        Assert.Equal("Harbour reopens", plain.SocialTitle); // og:title
        Assert.Equal("Boats are back.", plain.Description); // the standfirst without a meta description
        Assert.Equal("https://news.example.com/news/harbour-reopens", plain.Url);
        Assert.Equal("news.example.com › news › harbour-reopens", plain.DisplayUrl);
        Assert.Equal("news.example.com", plain.Host);

        input.SeoTitle = "Harbour open again";
        input.MetaDescription = "The harbour reopened on Monday.";
        input.CanonicalUrl = "https://partner.example.org/story/42";
        var seo = ArticleSnippet.For(input, "The Coast Gazette", Site);
        Assert.Equal("Harbour open again — The Coast Gazette", seo.PageTitle);
        Assert.Equal("Harbour open again", seo.SocialTitle);
        Assert.Equal("The harbour reopened on Monday.", seo.Description);
        Assert.Equal("partner.example.org › story › 42", seo.DisplayUrl);

        // Blank SEO fields count as none (the save stores them as none); no standfirst: the headline.
        var bare = ArticleSnippet.For(new ArticleInput { Headline = "Storm", SeoTitle = "  ", MetaDescription = " " }, "Gazette", Site);
        Assert.Equal(("Storm — Gazette", "Storm", "Storm"), (bare.PageTitle, bare.SocialTitle, bare.Description));
    }

    [Fact]
    public void The_preview_description_matches_the_public_metadata_fallback()
    {
        // ArticleMetadata: MetaDescription ?? (standfirst blank ? headline : standfirst).
        var withoutStandfirst = ArticleSnippet.For(new ArticleInput { Headline = "Ferry strike ends", Standfirst = "", Slug = "x" }, "G", Site);
        Assert.Equal("Ferry strike ends", withoutStandfirst.Description);
    }

    [Fact]
    public void Time_zones_are_offered_by_city_and_country_and_store_the_iana_id()
    {
        var paris = TimeZoneChoices.For("Europe/Paris");
        Assert.Equal("Paris — France (UTC+01:00)", paris.Label);
        Assert.Equal("Europe/Paris", paris.Id);
        Assert.Equal("Kolkata — India (UTC+05:30)", TimeZoneChoices.For("Asia/Kolkata").Label);
        Assert.Equal("New York — United States (UTC-05:00)", TimeZoneChoices.For("America/New_York").Label);
        Assert.Equal("UTC (UTC+00:00)", TimeZoneChoices.For("UTC").Label);

        Assert.Equal("Europe/Paris", TimeZoneChoices.Search("paris").First().Id);
        Assert.Contains(TimeZoneChoices.Search("France"), c => c.Id == "Europe/Paris");
        Assert.Contains(TimeZoneChoices.Search("germany"), c => c.Id == "Europe/Berlin");
        Assert.Equal("America/Sao_Paulo", TimeZoneChoices.Search("são paulo").First().Id);
        Assert.Contains(TimeZoneChoices.Search("buenos aires argentina"), c => c.Id == "America/Argentina/Buenos_Aires");
        Assert.Empty(TimeZoneChoices.Search("atlantis"));
        // The field shows the chosen label; opening the list from there offers every zone.
        Assert.Equal(TimeZoneChoices.All.Count, TimeZoneChoices.Search(paris.Label).Count());

        // Hundreds of zones, each once, every one a zone this system knows, UTC among them.
        Assert.True(TimeZoneChoices.All.Count > 300);
        Assert.Equal(TimeZoneChoices.All.Count, TimeZoneChoices.All.Select(c => c.Id).Distinct().Count());
        Assert.All(TimeZoneChoices.All, c => Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(c.Id, out _), c.Id));
        Assert.All(TimeZoneChoices.All.Where(c => c.Id != "UTC"), c => Assert.NotEqual("", c.Country));
    }

    [Fact]
    public void A_stored_zone_outside_the_table_is_still_offered_by_its_id()
    {
        var alias = TimeZoneChoices.For("US/Eastern");
        Assert.Equal("US/Eastern", alias.Id);
        Assert.Equal("US/Eastern (UTC-05:00)", alias.Label);
    }

    [Fact]
    public void Listings_show_the_time_for_stories_from_today_in_the_site_time_zone_and_the_date_for_older_ones()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = new DateTime(2026, 12, 5, 9, 30, 0, DateTimeKind.Utc); // 10:30 in Berlin

        Assert.Equal("08:05", LocalDate.Format(new DateTime(2026, 12, 5, 7, 5, 0, DateTimeKind.Utc), now, berlin, timeIfToday: true));
        // 23:30 UTC on the 4th is already the 5th in Berlin: today there.
        Assert.Equal("00:30", LocalDate.Format(new DateTime(2026, 12, 4, 23, 30, 0, DateTimeKind.Utc), now, berlin, timeIfToday: true));
        Assert.Equal("4 December 2026", LocalDate.Format(new DateTime(2026, 12, 4, 22, 30, 0, DateTimeKind.Utc), now, berlin, timeIfToday: true));
        // Not in a listing: always the date.
        Assert.Equal("5 December 2026", LocalDate.Format(new DateTime(2026, 12, 5, 7, 5, 0, DateTimeKind.Utc), now, berlin, timeIfToday: false));
    }
}
