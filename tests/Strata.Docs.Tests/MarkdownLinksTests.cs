namespace Strata.Docs.Tests;

/// <summary>The link checker itself: what it reads as a link, the anchors it derives, and that it reports what is broken.</summary>
public sealed class MarkdownLinksTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "strata-docs-tests", Guid.NewGuid().ToString("N"));

    public MarkdownLinksTests() => Directory.CreateDirectory(Path.Combine(_root, "docs", "img"));

    [Theory]
    [InlineData("Run P: CPU-bound, sync against `Task.Run` in pairs", "run-p-cpu-bound-sync-against-taskrun-in-pairs")]
    [InlineData("Run S3: a 30-second window at 256 and 1,024 connections", "run-s3-a-30-second-window-at-256-and-1024-connections")]
    [InlineData("Shutdown, telemetry, logs", "shutdown-telemetry-logs")]
    [InlineData("**Sync** versus _async_ (the headline)", "sync-versus-async-the-headline")]
    [InlineData("`snake_case` and [a link](x.md) & more", "snake_case-and-a-link--more")]
    public void Heading_slugs_follow_githubs_rules(string heading, string slug)
        => MarkdownLinks.Slug(heading).Should().Be(slug);

    [Fact]
    public void Links_images_references_and_html_are_found_but_code_is_not()
    {
        var links = MarkdownLinks.Find("""
            See [the guide](docs/guide.md#api-keys) and ![chart](img/a.png "title").
            [![badge](img/b.png)](https://example.invalid/x)
            Inline `[not](a-link.md)` code.
            ```
            [not a link either](missing.md)
            ```
            [ref]: <docs/ref.md>
            <img src="img/c.svg" alt="c">
            """);

        links.Select(l => (l.Line, l.Target)).Should().Equal(
            (1, "docs/guide.md#api-keys"), (1, "img/a.png"), (2, "img/b.png"), (2, "https://example.invalid/x"), (7, "docs/ref.md"), (8, "img/c.svg"));
    }

    [Fact]
    public void Repeated_headings_get_numbered_anchors_and_html_ids_count()
        => MarkdownLinks.Anchors("# Title\n## Notes\n## Notes ##\n<a id=\"custom\"></a>\n```\n# not a heading\n```\n").Should()
            .BeEquivalentTo(["title", "notes", "notes-1", "custom"]);

    [Fact]
    public void A_missing_file_a_missing_image_and_a_missing_anchor_are_reported_and_good_links_are_not()
    {
        var guide = Path.Combine(_root, "docs", "guide.md");
        File.WriteAllText(guide, "# Guide\n## API keys\n");
        File.WriteAllText(Path.Combine(_root, "docs", "img", "a.png"), "png");

        DeadLinkTests.Check(_root, guide, "#api-keys").Should().BeNull();
        DeadLinkTests.Check(_root, guide, "img/a.png").Should().BeNull();
        DeadLinkTests.Check(_root, guide, "../docs/guide.md#guide").Should().BeNull();
        DeadLinkTests.Check(_root, guide, "img").Should().BeNull("a folder is a valid target on GitHub");
        DeadLinkTests.Check(_root, guide, "https://example.invalid/nowhere").Should().BeNull("external links are not fetched");

        DeadLinkTests.Check(_root, guide, "missing.md").Should().Be("does not exist");
        DeadLinkTests.Check(_root, guide, "img/missing.png").Should().Be("does not exist");
        DeadLinkTests.Check(_root, guide, "#rate-limits").Should().Be("has no heading with the anchor #rate-limits");
        DeadLinkTests.Check(_root, guide, "guide.md#API-keys").Should().Be("has no heading with the anchor #API-keys", "GitHub's anchors are lower-case");
        DeadLinkTests.Check(_root, guide, "../../outside.md").Should().Be("points outside the repository");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
