using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using NewsCms.Web.Components.Admin.Articles;
using NewsCms.Web.Components.Admin.Media;
using NewsCms.Web.Features.Articles;
using NewsCms.Web.Features.Articles.Editing;
using NewsCms.Web.Features.Media;

namespace NewsCms.Tests.Components;

/// <summary>
/// The article editor's parts rendered with bUnit: the conflict dialog, the presence banner (fed by the real presence
/// tracker and editing session on a fake clock) and the body inserts (image with alt text, See also) over a
/// rich-text editor whose JavaScript module is faked.
/// </summary>
public sealed class ArticleEditorPartsTests : IAsyncDisposable
{
    private readonly BunitContext context = new();

    // The site's time zone in these tests: Berlin (UTC+1 in December).
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin);

    public ArticleEditorPartsTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync(); // MudBlazor's popover service is disposed asynchronously

    private static IEnumerable<AngleSharp.Dom.IElement> Buttons<T>(IRenderedComponent<T> rendered, string text) where T : IComponent =>
        rendered.FindAll("button").Where(b => b.TextContent.Trim() == text);

    // ---------------------------------------------------------------- conflict dialog

    private static readonly ArticleConflict Theirs = new("Harbour reopens after storm", "Boats are back.",
        "<p>The harbour reopened on <strong>Monday</strong>.</p>", Guid.Parse("11111111-2222-3333-4444-555555555555"),
        "Eddie Editor", new DateTime(2026, 12, 4, 8, 41, 7, DateTimeKind.Utc));

    private static ArticleInput Mine() => new()
    {
        Headline = "Harbour reopens: the first boats are out",
        Standfirst = "Fishermen are back at sea.",
        BodyHtml = "<p>My version of the story.</p><script>alert('x')</script>",
    };

    private (IRenderedComponent<MudDialogProvider> Provider, IRenderedComponent<EditorConflictDialog> Dialog, List<bool> Choices) RenderConflict(
        ArticleConflict? conflict, ArticleInput? mine, bool busy = false)
    {
        var provider = context.Render<MudDialogProvider>();
        var choices = new List<bool>();
        var dialog = context.Render<EditorConflictDialog>(p => p
            .Add(c => c.Conflict, conflict)
            .Add(c => c.Mine, mine)
            .Add(c => c.Busy, busy)
            .Add(c => c.Local, Local)
            .Add(c => c.ZoneId, "Europe/Berlin")
            .Add(c => c.Resolve, EventCallback.Factory.Create<bool>(this, choices.Add)));
        return (provider, dialog, choices);
    }

    [Fact]
    public void The_conflict_dialog_shows_both_versions_and_who_saved_the_other_when_in_the_sites_time_zone()
    {
        var (provider, _, _) = RenderConflict(Theirs, Mine());

        provider.WaitForAssertion(() => Assert.Contains("Someone else saved this article", provider.Markup));
        // 08:41:07 UTC is 09:41:07 in Berlin in December.
        Assert.Contains("Eddie Editor saved a newer version at 09:41:07 (Europe/Berlin) while you were writing.", provider.Markup);
        Assert.Contains("Nothing is lost: the version you do not keep is saved in History.", provider.Markup);

        var mine = provider.Find("[data-testid=conflict-mine]");
        Assert.Equal("Harbour reopens: the first boats are out", mine.QuerySelector("strong")!.TextContent);
        Assert.Equal("Fishermen are back at sea.", mine.QuerySelector("[data-testid=conflict-standfirst]")!.TextContent);
        Assert.Contains("My version of the story.", mine.TextContent);
        Assert.Null(mine.QuerySelector("script")); // the writer's unsaved HTML is sanitized before it is shown

        var theirs = provider.Find("[data-testid=conflict-theirs]");
        Assert.Equal("Harbour reopens after storm", theirs.QuerySelector("strong")!.TextContent);
        Assert.Equal("Boats are back.", theirs.QuerySelector("[data-testid=conflict-standfirst]")!.TextContent);
        Assert.Equal("Monday", theirs.QuerySelector("p > strong")!.TextContent);
        Assert.Contains("Their version (Eddie Editor)", provider.Markup);
        Assert.Contains("Your version", provider.Markup);
    }

    [Fact]
    public void Keep_mine_and_take_theirs_raise_the_choice_and_the_dialog_stays_until_the_page_closes_it()
    {
        var (provider, _, choices) = RenderConflict(Theirs, Mine());
        provider.WaitForAssertion(() => Assert.Single(Buttons(provider, "Keep mine")));

        Buttons(provider, "Keep mine").Single().Click();
        Assert.Equal([true], choices);
        Buttons(provider, "Take theirs").Single().Click();
        Assert.Equal([true, false], choices);

        // The dialog does not close itself: both versions are still there until the page has resolved the conflict.
        Assert.NotNull(provider.Find("[data-testid=conflict-mine]"));
        Assert.NotNull(provider.Find("[data-testid=conflict-theirs]"));
    }

    [Fact]
    public void While_a_choice_is_being_saved_both_buttons_are_disabled()
    {
        var (provider, _, choices) = RenderConflict(Theirs, Mine(), busy: true);
        provider.WaitForAssertion(() => Assert.Single(Buttons(provider, "Keep mine")));

        Assert.True(Buttons(provider, "Keep mine").Single().HasAttribute("disabled"));
        Assert.True(Buttons(provider, "Take theirs").Single().HasAttribute("disabled"));
        Buttons(provider, "Keep mine").Single().Click();
        Buttons(provider, "Take theirs").Single().Click();
        Assert.Empty(choices); // no second choice while the first is being saved
    }

    [Fact]
    public void Without_a_conflict_there_is_no_dialog_and_it_closes_when_the_conflict_is_resolved()
    {
        var (provider, dialog, _) = RenderConflict(null, null);
        Assert.DoesNotContain("Someone else saved this article", provider.Markup);
        Assert.Empty(provider.FindAll("[data-testid=conflict-theirs]"));

        dialog.Render(p => p.Add(c => c.Conflict, Theirs).Add(c => c.Mine, Mine()));
        provider.WaitForAssertion(() => Assert.Single(provider.FindAll("[data-testid=conflict-theirs]")));

        dialog.Render(p => p.Add(c => c.Conflict, (ArticleConflict?)null));
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=conflict-theirs]")));
    }

    // ---------------------------------------------------------------- presence banner

    private const int ArticleId = 42;

    /// <summary>Two editors on one article, as the editor page wires them: presence on a fake clock, one editing session each.</summary>
    private sealed class TwoEditors : IDisposable
    {
        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 4, 8, 5, 0, TimeSpan.Zero));
        public ArticlePresence Presence { get; }
        public ArticleEditingSession Ana { get; }

        public TwoEditors()
        {
            Presence = new ArticlePresence(Clock);
            Ana = new ArticleEditingSession((_, _, _, _, _) => throw new InvalidOperationException("no saves here"), Clock,
                TimeSpan.FromSeconds(3), () => Task.FromResult(""), work => work());
            Presence.TakenOver += (lost, by) => { if (lost == "ana-tab") Ana.LoseTo(by); };
        }

        /// <summary>What Ana's banner shows now.</summary>
        public PresenceView AnaSees(bool canTakeOver)
        {
            Ana.ApplyPresence(Presence.Holder(ArticleId), Presence.Everyone(ArticleId), "ana-tab", canTakeOver,
                Presence.MayTakeOverFrom(ArticleId, "ana-tab"), Local, out var view);
            return view;
        }

        /// <summary>What Bob's banner shows now (his own session, no take-over from him).</summary>
        public PresenceView BobSees(bool canTakeOver)
        {
            using var bob = new ArticleEditingSession((_, _, _, _, _) => throw new InvalidOperationException("no saves here"), Clock,
                TimeSpan.FromSeconds(3), () => Task.FromResult(""), work => work());
            bob.ApplyPresence(Presence.Holder(ArticleId), Presence.Everyone(ArticleId), "bob-tab", canTakeOver,
                Presence.MayTakeOverFrom(ArticleId, "bob-tab"), Local, out var view);
            return view;
        }

        public void Dispose() => Ana.Dispose();
    }

    private IRenderedComponent<EditorPresenceBanner> RenderBanner(PresenceView view, Action? takeOver = null) =>
        context.Render<EditorPresenceBanner>(p => p
            .Add(c => c.Message, view.Message)
            .Add(c => c.ShowTakeOver, view.ShowTakeOver)
            .Add(c => c.TakeOver, EventCallback.Factory.Create(this, takeOver ?? (() => { }))));

    [Fact]
    public async Task The_banner_names_who_is_editing_since_when_and_offers_take_over_to_those_allowed()
    {
        using var editors = new TwoEditors();
        await editors.Presence.EnterAsync(ArticleId, "ana-tab", "ana", "Ana Writer"); // 08:05 UTC, 09:05 in Berlin
        editors.Clock.Advance(TimeSpan.FromMinutes(7));
        await editors.Presence.EnterAsync(ArticleId, "bob-tab", "bob", "Bob Editor");

        var tookOver = 0;
        var banner = RenderBanner(editors.BobSees(canTakeOver: true), () => tookOver++);
        var alert = banner.Find("[data-testid=presence][role=status]");
        Assert.Contains("Ana Writer is editing this article (since 09:05). You can read it, but not change it unless you take over.", alert.TextContent);
        Buttons(banner, "Take over").Single().Click();
        Assert.Equal(1, tookOver);

        var notAllowed = RenderBanner(editors.BobSees(canTakeOver: false));
        Assert.Contains("Ana Writer is editing this article (since 09:05). You can read it, but not change it.",
            notAllowed.Find("[data-testid=presence]").TextContent);
        Assert.Empty(notAllowed.FindAll("button"));

        // The holder is told only who else is looking, with nothing to take over.
        var holder = RenderBanner(editors.AnaSees(canTakeOver: true));
        Assert.Contains("Bob Editor is also looking at this article.", holder.Find("[data-testid=presence]").TextContent);
        Assert.Empty(holder.FindAll("button"));
    }

    [Fact]
    public async Task After_a_take_over_the_banner_says_who_took_it_when_and_offers_it_back_only_after_the_protection()
    {
        using var editors = new TwoEditors();
        await editors.Presence.EnterAsync(ArticleId, "ana-tab", "ana", "Ana Writer");
        await editors.Presence.EnterAsync(ArticleId, "bob-tab", "bob", "Bob Editor");
        editors.Clock.Advance(TimeSpan.FromMinutes(15));
        await editors.Presence.TakeOverAsync(ArticleId, "bob-tab", "bob", "Bob Editor"); // 08:20 UTC, 09:20 in Berlin

        var banner = RenderBanner(editors.AnaSees(canTakeOver: true));
        var text = banner.Find("[data-testid=presence]").TextContent;
        Assert.Contains("Bob Editor took over this article at 09:20.", text);
        Assert.Contains("Your editor is read-only now; your unsaved text stays here and in this browser.", text);
        Assert.Contains("You can take it back after 09:22.", text);
        Assert.Empty(banner.FindAll("button"));

        editors.Clock.Advance(ArticlePresence.TakeOverProtection - TimeSpan.FromSeconds(1));
        banner = RenderBanner(editors.AnaSees(canTakeOver: true));
        Assert.Empty(banner.FindAll("button"));

        editors.Clock.Advance(TimeSpan.FromSeconds(1));
        banner = RenderBanner(editors.AnaSees(canTakeOver: true));
        Assert.Contains("Bob Editor took over this article at 09:20.", banner.Find("[data-testid=presence]").TextContent);
        Assert.Single(Buttons(banner, "Take over"));

        // Someone without the right to take over is never offered it back.
        var contributor = RenderBanner(editors.AnaSees(canTakeOver: false));
        Assert.DoesNotContain("take it back", contributor.Find("[data-testid=presence]").TextContent);
        Assert.Empty(contributor.FindAll("button"));
    }

    [Fact]
    public async Task Alone_on_the_article_there_is_no_banner()
    {
        using var editors = new TwoEditors();
        await editors.Presence.EnterAsync(ArticleId, "ana-tab", "ana", "Ana Writer");

        var banner = RenderBanner(editors.AnaSees(canTakeOver: true));
        Assert.Empty(banner.FindAll("[data-testid=presence]"));
        Assert.Equal("", banner.Markup.Trim());
    }

    // ---------------------------------------------------------------- body inserts

    private static readonly MediaImage NoAlt = new(7, "0123456789abcdef01234567", "harbour.jpg", "jpeg", 1400, 900, 123_456,
        [320, 640, 960, 1280, 1400], "", "The harbour reopened on Monday.", "Jane Doe / Coast Agency",
        DateTime.UtcNow, "user-1", "Jane Doe");

    private sealed class BodyParts
    {
        public BunitJSModuleInterop Module { get; set; } = default!;
        public IRenderedComponent<BodyInserts> Inserts { get; set; } = default!;
        public List<string> Problems { get; } = [];
        public List<string?> Searches { get; } = [];
    }

    private static readonly ArticleLink Storm = new(5, "Storm hits the coast", "storm-hits-the-coast", new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc));

    private BodyParts RenderInserts(bool readOnly = false, bool editorAccepts = true)
    {
        var module = context.JSInterop.SetupModule(i => i.Arguments.Count > 0 && i.Arguments[0] is string path && path.EndsWith("editor.js", StringComparison.Ordinal));
        module.Mode = JSRuntimeMode.Loose;
        module.Setup<int>("createEditor", _ => true).SetResult(1);
        module.Setup<bool>("insertImage", _ => true).SetResult(editorAccepts);
        module.Setup<bool>("insertSeeAlso", _ => true).SetResult(editorAccepts);

        var editor = context.Render<RichTextEditor>();
        editor.WaitForAssertion(() => Assert.Single(module.Invocations["createEditor"]));
        var parts = new BodyParts { Module = module };
        parts.Inserts = context.Render<BodyInserts>(p => p
            .Add(c => c.Editor, editor.Instance)
            .Add(c => c.ReadOnly, readOnly)
            .Add(c => c.SearchPublished, (text, _) =>
            {
                parts.Searches.Add(text);
                return Task.FromResult<IEnumerable<ArticleLink>>(text is not null && Storm.Headline.Contains(text, StringComparison.OrdinalIgnoreCase) ? [Storm] : []);
            })
            .Add(c => c.Problem, EventCallback.Factory.Create<string>(this, parts.Problems.Add)));
        return parts;
    }

    /// <summary>The writer picks an image in the media library (the picker's dialog is covered by the media tests).</summary>
    private static Task ChooseImageAsync(IRenderedComponent<BodyInserts> inserts, MediaImage image) =>
        inserts.InvokeAsync(() => inserts.FindComponent<MediaPicker>().Instance.SelectedChanged.InvokeAsync(image));

    private static AngleSharp.Dom.IElement InsertImageButton(IRenderedComponent<BodyInserts> inserts) =>
        inserts.FindAll("[data-testid=body-image-alt] button").Single(b => b.TextContent.Trim() == "Insert image");

    [Fact]
    public async Task An_image_without_alt_text_asks_for_it_and_inserts_it_with_the_alt_text_typed()
    {
        var parts = RenderInserts();
        Assert.Contains("Insert image into the body", parts.Inserts.Markup);
        Assert.Empty(parts.Inserts.FindAll("[data-testid=body-image-alt]"));

        await ChooseImageAsync(parts.Inserts, NoAlt);

        var step = parts.Inserts.Find("[data-testid=body-image-alt]");
        Assert.Contains("Describe the image for readers who cannot see it. Alt text is required before publishing.", step.TextContent);
        Assert.Contains("Alt text for this image", step.TextContent);
        Assert.True(InsertImageButton(parts.Inserts).HasAttribute("disabled"));
        Assert.Empty(parts.Module.Invocations["insertImage"]);

        parts.Inserts.Find("#body-image-alt").Input("   ");
        Assert.True(InsertImageButton(parts.Inserts).HasAttribute("disabled")); // spaces are not alt text

        parts.Inserts.Find("#body-image-alt").Input("  Boats in the harbour at dawn ");
        Assert.False(InsertImageButton(parts.Inserts).HasAttribute("disabled"));
        InsertImageButton(parts.Inserts).Click();

        parts.Inserts.WaitForAssertion(() => Assert.Single(parts.Module.Invocations["insertImage"]));
        var inserted = parts.Module.Invocations["insertImage"].Single().Arguments[1]!;
        Assert.Equal("/media/0123456789abcdef01234567/960.webp", Property(inserted, "src"));
        Assert.Equal("Boats in the harbour at dawn", Property(inserted, "alt"));
        Assert.Equal((960, 617), ((int)Property(inserted, "width")!, (int)Property(inserted, "height")!));
        parts.Inserts.WaitForAssertion(() => Assert.Empty(parts.Inserts.FindAll("[data-testid=body-image-alt]")));
        Assert.Empty(parts.Problems);
    }

    [Fact]
    public async Task An_image_with_alt_text_from_the_library_goes_straight_in()
    {
        var parts = RenderInserts();

        await ChooseImageAsync(parts.Inserts, NoAlt with { AltText = "Boats in the harbour" });

        var inserted = parts.Module.Invocations["insertImage"].Single().Arguments[1]!;
        Assert.Equal("Boats in the harbour", Property(inserted, "alt"));
        Assert.Empty(parts.Inserts.FindAll("[data-testid=body-image-alt]"));
    }

    [Fact]
    public async Task Cancel_drops_the_image_without_inserting_it()
    {
        var parts = RenderInserts();
        await ChooseImageAsync(parts.Inserts, NoAlt);
        parts.Inserts.Find("#body-image-alt").Input("Boats");

        parts.Inserts.FindAll("[data-testid=body-image-alt] button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        Assert.Empty(parts.Inserts.FindAll("[data-testid=body-image-alt]"));
        Assert.Empty(parts.Module.Invocations["insertImage"]);
        Assert.Empty(parts.Problems);
    }

    [Fact]
    public async Task When_the_editor_cannot_insert_the_writer_is_told_and_the_alt_text_is_kept()
    {
        var parts = RenderInserts(editorAccepts: false);
        await ChooseImageAsync(parts.Inserts, NoAlt);
        parts.Inserts.Find("#body-image-alt").Input("Boats in the harbour at dawn");

        InsertImageButton(parts.Inserts).Click();

        parts.Inserts.WaitForAssertion(() => Assert.Equal(["Put the cursor in the body first, then insert the image again."], parts.Problems));
        Assert.Equal("Boats in the harbour at dawn", parts.Inserts.Find("#body-image-alt").GetAttribute("value"));
        Assert.False(InsertImageButton(parts.Inserts).HasAttribute("disabled"));
    }

    [Fact]
    public void See_also_searches_published_articles_and_inserts_a_card_for_the_one_chosen()
    {
        var parts = RenderInserts();
        var popovers = context.Render<MudPopoverProvider>();
        Assert.Contains("Type to find a published article; choosing one adds a “See also” link at the cursor.", parts.Inserts.Markup);

        parts.Inserts.Find("input#see-also").Input("storm");

        parts.Inserts.WaitForAssertion(() => Assert.Contains("storm", parts.Searches), TimeSpan.FromSeconds(10));
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll("[role=option]"), o => o.TextContent.Contains("Storm hits the coast")), TimeSpan.FromSeconds(10));
        popovers.FindAll("[role=option]").Single(o => o.TextContent.Contains("Storm hits the coast")).Click();

        parts.Inserts.WaitForAssertion(() => Assert.Single(parts.Module.Invocations["insertSeeAlso"]), TimeSpan.FromSeconds(10));
        var card = parts.Module.Invocations["insertSeeAlso"].Single().Arguments[1]!;
        Assert.Equal((5, "/news/storm-hits-the-coast", "Storm hits the coast"),
            ((int)Property(card, "id")!, (string)Property(card, "href")!, (string)Property(card, "headline")!));
        Assert.Empty(parts.Problems);
    }

    [Fact]
    public async Task A_see_also_without_a_cursor_in_the_body_is_reported()
    {
        var parts = RenderInserts(editorAccepts: false);

        var autocomplete = parts.Inserts.FindComponent<MudAutocomplete<ArticleLink>>();
        await parts.Inserts.InvokeAsync(() => autocomplete.Instance.ValueChanged.InvokeAsync(Storm));

        Assert.Equal(["Put the cursor in the body first, then choose the article again."], parts.Problems);
    }

    [Fact]
    public void Read_only_disables_both_inserts()
    {
        var parts = RenderInserts(readOnly: true);

        Assert.True(parts.Inserts.FindAll("button").Single(b => b.TextContent.Trim() == "Choose image").HasAttribute("disabled"));
        Assert.True(parts.Inserts.Find("input#see-also").HasAttribute("disabled"));

        var editable = RenderInserts(readOnly: false);
        Assert.False(editable.Inserts.FindAll("button").Single(b => b.TextContent.Trim() == "Choose image").HasAttribute("disabled"));
        Assert.False(editable.Inserts.Find("input#see-also").HasAttribute("disabled"));
    }

    private static object? Property(object value, string name) => value.GetType().GetProperty(name)!.GetValue(value);
}
