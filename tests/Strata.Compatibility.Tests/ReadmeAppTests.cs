using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Strata.Compatibility.Tests;

// README code rules (every src/*/README.md; the tests below enforce them)
//
// 1. The FIRST ```csharp block is a complete Program.cs of a `dotnet new web` app (net10.0, the template's implicit
//    usings, nullable on): its `using` lines first (these are the usings the README lists), then top-level statements
//    that call WebApplication.CreateBuilder(args) and app.Run() / RunAsync(), then the type declarations it needs.
//    The types start at the first line that begins, at column 0, with `public `, `internal ` or `[` (an attribute);
//    everything above that line (after the usings) is a statement.
// 2. Every other ```csharp block is a snippet of statements, with only `builder` (WebApplicationBuilder) and `app`
//    (WebApplication) in scope, plus the first block's usings and types. A snippet that needs a service gets it
//    itself (`var queue = app.Services.GetRequiredService<IJobQueue>();`), as a user who copies it must. It declares
//    no type (put it in the first block); it may start with `using` lines of its own.
// 3. Blocks of other languages (```bash, ```json, a plain ```) are not compiled. The packages the app takes are the
//    README's own and every `dotnet add package X` line of its other blocks: Strata.* from the local feed, anything
//    else at the version Directory.Packages.props pins for the repository's apps and tests.
// 4. The README opens with what the package is, its Install block, then a "**What it needs:**" paragraph naming the
//    target frameworks and, for each, every non-Strata dependency with its lowest version as the .nupkg declares it
//    ("StackExchange.Redis 2.7.27"), then the first csharp block.
//
// How rules 1-3 are checked: all READMEs in ONE app made by `dotnet new web` outside the repository (those of the
// Swashbuckle 11 packages in a second one, on Swashbuckle 11: see OtherLines), built with
// warnings as errors (NU1603 excepted, as ConsumerApp.BuildAsync). Each README becomes one file, Readme_{Package}.cs:
// namespace Readme.{Package} { Program_.MainAsync(string[] args) { first block's statements } Snippets.BlockNAsync(
// builder, app) { snippet N } first block's types }, so two READMEs may declare the same type names. #line directives
// make every compiler error name the README and its line. The app's own Program.cs is `return;`: nothing runs here
// (each package's ReadmeSampleTests runs its README's code).
//
// A README that does not follow a rule yet is named, with the rule and the reason, in NotYetConvertedReadmes, and only
// there (a README listed for rules 1-3 is built in an app of its own, so that its errors hide nobody else's); Readme_list_of_not_yet_converted_ones_only_shrinks fails when a listed README already follows it, so
// the list can only shrink.

/// <summary>The code of every package README compiles as written, and each README names what its package needs.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed partial class ReadmeAppTests(LocalFeed feed)
{
    /// <summary>READMEs that do not follow a rule yet: each entry names the rules it breaks and why it may, for now.</summary>
    private static readonly NotYetConverted[] NotYetConvertedReadmes = [];

    /// <summary>
    /// Packages built for another major of a dependency than the one Directory.Packages.props pins for the apps: two
    /// majors of Swashbuckle cannot be in one app, so the READMEs of the Swashbuckle 11 packages build in an app of their
    /// own, where every Swashbuckle.AspNetCore* package takes the version of <see cref="ReadmeAppLine.VersionProperty"/>.
    /// </summary>
    private static readonly ReadmeAppLine[] OtherLines =
    [
        new("ReadmeApp_Swashbuckle11", ".Swashbuckle11", "Swashbuckle.AspNetCore", "StrataSwashbuckle11Version"),
    ];

    private static readonly Lock BuildLock = new();
    private static (string Version, Task<IReadOnlyDictionary<string, IReadOnlyList<ReadmeProblem>>> Problems)? s_build;

    [Fact]
    public async Task Readme_csharp_blocks_compile_as_written_in_one_web_app()
    {
        var problems = await CompileProblemsAsync();
        var broken = Readme.All()
            .Where(r => !IsListed(r, ReadmeRule.Compiles))
            .SelectMany(r => problems[r.RelativePath])
            .Select(p => p.ToString())
            .ToArray();
        broken.Should().BeEmpty("every csharp block of a README compiles as written (see the README code rules)");
    }

    [Fact]
    public void Readme_opens_with_install_and_what_it_needs_naming_every_dependency_floor()
    {
        var broken = Readme.All()
            .Where(r => !IsListed(r, ReadmeRule.Opening))
            .SelectMany(OpeningProblems)
            .Select(p => p.ToString())
            .ToArray();
        broken.Should().BeEmpty("each README opens with Install, then **What it needs:** naming its floors, then Program.cs");
    }

    [Fact]
    public async Task Readme_list_of_not_yet_converted_ones_only_shrinks()
    {
        var readmes = Readme.All().ToDictionary(r => r.RelativePath);
        var packages = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => $"src/{Path.GetFileNameWithoutExtension(p)}/README.md")
            .ToArray();
        packages.Should().OnlyContain(p => readmes.ContainsKey(p), "every package has a README, and so is checked by the rules");

        var compile = await CompileProblemsAsync();
        var findings = new List<string>();
        foreach (var entry in NotYetConvertedReadmes)
        {
            if (!readmes.TryGetValue(entry.Path, out var readme))
            {
                findings.Add($"{entry.Path} is listed but does not exist: remove it from NotYetConvertedReadmes");
                continue;
            }

            if (entry.Rules.HasFlag(ReadmeRule.Compiles) && compile[entry.Path].Count == 0)
            {
                findings.Add($"{entry.Path} now compiles under the README code rules: remove Compiles from its NotYetConvertedReadmes entry");
            }

            if (entry.Rules.HasFlag(ReadmeRule.Opening) && OpeningProblems(readme).Count == 0)
            {
                findings.Add($"{entry.Path} now opens with Install and **What it needs:** naming its floors: remove Opening from its NotYetConvertedReadmes entry");
            }

            if (entry.Rules == ReadmeRule.None || string.IsNullOrWhiteSpace(entry.Reason))
            {
                findings.Add($"{entry.Path}: a NotYetConvertedReadmes entry names the rules it breaks and a reason");
            }
        }

        findings.Should().BeEmpty("NotYetConvertedReadmes lists only READMEs that still break the rules they are listed for");
    }

    private static bool IsListed(Readme readme, ReadmeRule rule) =>
        NotYetConvertedReadmes.Any(n => n.Path == readme.RelativePath && n.Rules.HasFlag(rule));

    /// <summary>Rule 4: Install, then "**What it needs:**" with the target frameworks and dependency floors, then the first csharp block.</summary>
    private IReadOnlyList<ReadmeProblem> OpeningProblems(Readme readme)
    {
        var problems = new List<ReadmeProblem>();
        void Add(int line, string message) => problems.Add(new(readme, 0, line, "RULE", message));

        var install = readme.Blocks.FirstOrDefault(b => !b.IsCSharp && b.Lines.Any(l => l.Contains($"dotnet add package {readme.Package}", StringComparison.Ordinal)));
        var needs = Array.FindIndex([.. readme.Lines], l => l.Contains("**What it needs:**", StringComparison.Ordinal));
        var program = readme.CSharpBlocks.FirstOrDefault();
        if (install is null)
        {
            Add(0, $"no Install block with `dotnet add package {readme.Package}`");
        }

        if (needs < 0)
        {
            Add(0, "no \"**What it needs:**\" paragraph");
            return problems;
        }

        if (install is not null && install.FirstLine > needs + 1)
        {
            Add(needs + 1, "\"**What it needs:**\" comes before the Install block; it follows it");
        }

        if (program is not null && program.FirstLine < needs + 1)
        {
            Add(program.FirstLine, "the first csharp block (the Program.cs) comes before \"**What it needs:**\"; it follows it");
        }

        var paragraph = string.Join(' ', readme.Lines.Skip(needs).TakeWhile(l => !string.IsNullOrWhiteSpace(l)));
        foreach (var framework in feed.TargetFrameworks(readme.Package))
        {
            if (!paragraph.Contains(framework, StringComparison.Ordinal))
            {
                Add(needs + 1, $"\"**What it needs:**\" does not name the target framework {framework}");
            }

            foreach (var (id, version) in feed.Dependencies(readme.Package, framework).Where(d => !d.Key.StartsWith("Strata.", StringComparison.Ordinal)))
            {
                if (!paragraph.Contains($"{id} {version}", StringComparison.Ordinal))
                {
                    Add(needs + 1, $"\"**What it needs:**\" does not name the {framework} dependency floor \"{id} {version}\" that the package declares");
                }
            }
        }

        return problems;
    }

    /// <summary>Rules 1-3 for every README, from the builds of the README apps (made once per test run; a failure is every caller's).</summary>
    private Task<IReadOnlyDictionary<string, IReadOnlyList<ReadmeProblem>>> CompileProblemsAsync()
    {
        lock (BuildLock)
        {
            if (s_build is not { } build || build.Version != feed.Version)
            {
                build = (feed.Version, BuildReadmeAppsAsync());
                s_build = build;
            }

            return build.Problems;
        }
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ReadmeProblem>>> BuildReadmeAppsAsync()
    {
        // The READMEs that follow the rules in ONE app. A listed README in an app of its own: the compiler stops at
        // syntax errors before it binds anything, so one README's syntax error would hide another's errors.
        var all = Readme.All();
        var problems = new Dictionary<string, IReadOnlyList<ReadmeProblem>>();
        foreach (var (readme, found) in await BuildReadmeAppAsync("ReadmeApp", [.. all.Where(r => !IsListed(r, ReadmeRule.Compiles) && LineOf(r) is null)]))
        {
            problems[readme] = found;
        }

        foreach (var line in OtherLines)
        {
            foreach (var (readme, found) in await BuildReadmeAppAsync(line.Name, [.. all.Where(r => !IsListed(r, ReadmeRule.Compiles) && LineOf(r) == line)], line))
            {
                problems[readme] = found;
            }
        }

        foreach (var listed in all.Where(r => IsListed(r, ReadmeRule.Compiles)))
        {
            foreach (var (readme, found) in await BuildReadmeAppAsync("ReadmeApp_" + listed.Identifier, [listed], LineOf(listed)))
            {
                problems[readme] = found;
            }
        }

        return problems;
    }

    private static ReadmeAppLine? LineOf(Readme readme) =>
        OtherLines.FirstOrDefault(l => readme.Package.EndsWith(l.PackageSuffix, StringComparison.Ordinal));

    /// <summary>Builds one app from the csharp blocks of <paramref name="readmes"/>; their problems, by README path.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ReadmeProblem>>> BuildReadmeAppAsync(string name, IReadOnlyList<Readme> readmes, ReadmeAppLine? appLine = null)
    {
        var problems = readmes.ToDictionary(r => r.RelativePath, r => new List<ReadmeProblem>(ReadmeProgram.Check(r)));
        var compiled = readmes.Where(r => r.CSharpBlocks.Count > 0).ToArray();

        var app = await ConsumerApp.CreateAsync(feed, "web", name);
        var pins = PinnedVersions(appLine);
        var packages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var readme in compiled)
        {
            foreach (var package in readme.InstalledPackages.Append(readme.Package))
            {
                if (package.StartsWith("Strata.", StringComparison.Ordinal))
                {
                    feed.Packages.Should().Contain(package, $"{readme.RelativePath} installs {package}, a package of src/");
                    packages[package] = feed.Version;
                }
                else
                {
                    pins.Should().ContainKey(package, $"{readme.RelativePath} installs {package}; Directory.Packages.props pins the version the README app takes");
                    packages[package] = pins[package];
                }
            }
        }

        app.AddPackages(packages.OrderBy(p => p.Key, StringComparer.Ordinal));
        await app.WriteProgramAsync("// The README app compiles the READMEs' code (Readme_*.cs) and runs none of it.\nreturn;\n");
        foreach (var readme in compiled)
        {
            await File.WriteAllTextAsync(Path.Combine(app.Directory, ReadmeProgram.FileName(readme)), ReadmeProgram.Generate(readme));
        }

        var (exitCode, output) = await app.TryBuildAsync();
        var byPath = compiled.ToDictionary(r => Path.GetFullPath(r.Path), StringComparer.Ordinal);
        var byFile = compiled.ToDictionary(r => ReadmeProgram.FileName(r), StringComparer.Ordinal);
        var unattributed = new List<string>();
        foreach (var line in output.Split('\n').Select(l => l.Trim()).Distinct())
        {
            var error = CompilerError().Match(line);
            if (!error.Success)
            {
                if (GeneralError().IsMatch(line))
                {
                    unattributed.Add(line);
                }

                continue;
            }

            var file = error.Groups["file"].Value.Trim();
            var number = int.Parse(error.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var message = error.Groups["message"].Value;
            var code = error.Groups["code"].Value;
            if (byPath.TryGetValue(Path.GetFullPath(file), out var readme))
            {
                var block = readme.CSharpBlocks.FirstOrDefault(b => number >= b.FirstLine && number <= b.LastLine);
                problems[readme.RelativePath].Add(new(readme, block?.Number ?? 0, number, code, message));
            }
            else if (byFile.TryGetValue(Path.GetFileName(file), out readme))
            {
                var source = File.ReadAllLines(Path.Combine(app.Directory, Path.GetFileName(file)));
                var text = number >= 1 && number <= source.Length ? source[number - 1].Trim() : "";
                problems[readme.RelativePath].Add(new(readme, 0, 0, code,
                    $"{message} (at line {number} of {Path.GetFileName(file)}, the code the README app wraps around the blocks: \"{text}\"; a block that is not whole statements breaks it)"));
            }
            else
            {
                unattributed.Add(line);
            }
        }

        unattributed.Should().BeEmpty($"the {name} app's build fails only on README code:\n{ConsumerApp.Errors(output)}");
        if (exitCode != 0)
        {
            problems.Values.Should().Contain(p => p.Count > 0, $"a failed build of the {name} app names a README line:\n{output}");
        }

        return problems.ToDictionary(p => p.Key, p => (IReadOnlyList<ReadmeProblem>)[.. p.Value.DistinctBy(x => (x.Line, x.Code, x.Message))]);
    }

    /// <summary>
    /// The version Directory.Packages.props pins for each package of the repository's apps and tests; for the packages of
    /// <paramref name="line"/>'s dependency, the version of its property.
    /// </summary>
    private static Dictionary<string, string> PinnedVersions(ReadmeAppLine? line = null)
    {
        var props = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"));
        var properties = props.Descendants("PropertyGroup")
            .Where(g => g.Attribute("Condition") is null)
            .SelectMany(g => g.Elements())
            .ToDictionary(e => e.Name.LocalName, e => e.Value);
        string Expand(string value) => Property().Replace(value, m => Expand(properties[m.Groups[1].Value]));
        return props.Descendants("PackageVersion").ToDictionary(
            e => (string)e.Attribute("Include")!,
            e => line is not null && ((string)e.Attribute("Include")!).StartsWith(line.DependencyPrefix, StringComparison.Ordinal)
                ? Expand(properties[line.VersionProperty])
                : Expand((string)e.Attribute("Version")!),
            StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)(,\d+,\d+)?\)\s*:\s*(error|warning) (?<code>[A-Z]+\d+)\s*:\s*(?<message>.*?)(\s+\[[^\]]*\])?$")]
    private static partial Regex CompilerError();

    [GeneratedRegex(@"\berror [A-Z]+[0-9]+")]
    private static partial Regex GeneralError();

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex Property();
}

/// <summary>The rules a README can be listed as not following yet.</summary>
[Flags]
public enum ReadmeRule
{
    None = 0,

    /// <summary>Rules 1-3: its csharp blocks compile as written in the README app.</summary>
    Compiles = 1,

    /// <summary>Rule 4: Install, then "**What it needs:**" with every dependency floor, then the first csharp block.</summary>
    Opening = 2,
}

/// <summary>
/// READMEs of packages whose name ends in <paramref name="PackageSuffix"/> build in the app <paramref name="Name"/>, where
/// packages whose id starts with <paramref name="DependencyPrefix"/> take the version Directory.Packages.props gives
/// <paramref name="VersionProperty"/>.
/// </summary>
internal sealed record ReadmeAppLine(string Name, string PackageSuffix, string DependencyPrefix, string VersionProperty);

/// <summary>A README that breaks <paramref name="Rules"/> for now, and why.</summary>
internal sealed record NotYetConverted(string Path, ReadmeRule Rules, string Reason);
