namespace Strata.Compatibility.Tests;

/// <summary>How a README's blocks are cut into usings, statements, types and snippets (the README code rules).</summary>
public sealed class ReadmeProgramTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "strata-readme-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void Readme_first_block_splits_into_usings_statements_and_types_at_the_first_column_0_declaration()
    {
        var readme = Write("""
            # Strata.Example

            ```
            dotnet add package Strata.Example
            dotnet add package Some.Other   # optional
            ```

            ```csharp
            using Strata.Example;

            var builder = WebApplication.CreateBuilder(args);
            var app = builder.Build();
            app.Run();

            [Obsolete("x")]
            public sealed record Job(string Text);
            ```

              ```json
              { "not": "compiled" }
              ```

            ```csharp
            using System.Threading.RateLimiting;

            var queue = app.Services.GetRequiredService<IQueue>();
            ```
            """);

        readme.InstalledPackages.Should().Equal("Strata.Example", "Some.Other");
        readme.CSharpBlocks.Should().HaveCount(2);
        var (usings, statements, types) = ReadmeProgram.SplitProgram(readme.CSharpBlocks[0]);
        usings.Should().ContainSingle().Which.Should().Be(new CodeLine(9, "using Strata.Example;"));
        statements.First().Should().Be(new CodeLine(11, "var builder = WebApplication.CreateBuilder(args);"));
        types.First().Should().Be(new CodeLine(15, "[Obsolete(\"x\")]"));
        ReadmeProgram.Check(readme).Should().BeEmpty();

        var source = ReadmeProgram.Generate(readme);
        source.Should().Contain("namespace Readme.Strata_Example");
        source.Should().Contain("public static async Task Block2Async(WebApplicationBuilder builder, WebApplication app)");
        source.Should().Contain($"#line 24 \"{readme.Path}\"\nusing System.Threading.RateLimiting;".Replace("\n", Environment.NewLine, StringComparison.Ordinal));
        source.Should().NotContain("not\": \"compiled");
    }

    [Fact]
    public void Readme_snippet_that_declares_a_type_or_a_first_block_without_a_program_breaks_the_rules()
    {
        var readme = Write("""
            ```csharp
            builder.Services.AddStrataJobs();
            ```

            ```csharp
            public sealed class Handler;
            ```
            """);

        ReadmeProgram.Check(readme).Select(p => (p.Block, p.Line)).Should().Equal((1, 2), (2, 6));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Readme Write(string text)
    {
        var folder = Path.Combine(_directory, "Strata.Example");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "README.md");
        File.WriteAllText(path, text);
        return Readme.Load(path);
    }
}
