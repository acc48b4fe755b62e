using NewsCms.Web.Features.Corrections;

namespace NewsCms.Tests.Unit;

public sealed class CorrectionRulesTests
{
    [Fact]
    public void The_heading_names_the_kind_and_the_day_month_and_year()
    {
        var at = new DateTime(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal("Correction, 4 December 2026", CorrectionRules.Heading(CorrectionKind.Correction, at, TimeZoneInfo.Utc));
        Assert.Equal("Update, 4 December 2026", CorrectionRules.Heading(CorrectionKind.Update, at, TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_date_is_the_sites_day_not_the_servers()
    {
        // 23:30 UTC on 3 December is already 4 December in Berlin, still 3 December in New York at 18:30.
        var lateEvening = new DateTime(2026, 12, 3, 23, 30, 0, DateTimeKind.Utc);
        Assert.Equal("Correction, 4 December 2026", CorrectionRules.Heading(CorrectionKind.Correction, lateEvening, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        Assert.Equal("Correction, 3 December 2026", CorrectionRules.Heading(CorrectionKind.Correction, lateEvening, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }

    [Theory]
    [InlineData("  An earlier version\r\n misspelt   the name. ", "An earlier version misspelt the name.")]
    [InlineData("Tab\tand\u0007bell", "Tab andbell")]
    [InlineData(null, "")]
    public void Text_is_stored_as_one_trimmed_paragraph_without_control_characters(string? input, string stored) =>
        Assert.Equal(stored, CorrectionRules.Normalize(input));

    [Fact]
    public void Empty_and_too_long_texts_are_refused_with_a_message_naming_the_kind()
    {
        Assert.Equal("Write the correction first.", CorrectionRules.Check(CorrectionKind.Correction, ""));
        Assert.Equal("Write the update first.", CorrectionRules.Check(CorrectionKind.Update, CorrectionRules.Normalize("   ")));
        Assert.NotNull(CorrectionRules.Check(CorrectionKind.Correction, new string('x', CorrectionRules.MaxLength + 1)));
        Assert.Null(CorrectionRules.Check(CorrectionKind.Correction, new string('x', CorrectionRules.MaxLength)));
    }

    [Fact]
    public void Json_ld_lists_each_note_as_a_correction_comment_with_its_text_and_date()
    {
        Assert.Null(CorrectionsInJsonLd.For([], "https://news.example.test/news/a"));
        var value = CorrectionsInJsonLd.For(
            [new PublicCorrection(7, CorrectionKind.Correction, "The vote was on Tuesday.", new DateTime(2026, 12, 4, 9, 15, 0, DateTimeKind.Utc), null)],
            "https://news.example.test/news/a");
        var comment = Assert.Single(value!);
        Assert.Equal("CorrectionComment", comment["@type"]);
        Assert.Equal("The vote was on Tuesday.", comment["text"]);
        Assert.Equal("2026-12-04T09:15:00Z", comment["datePublished"]);
        Assert.Equal("https://news.example.test/news/a#correction-7", comment["url"]);
    }
}
