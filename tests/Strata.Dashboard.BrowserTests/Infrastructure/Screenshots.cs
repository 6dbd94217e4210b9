using Microsoft.Playwright;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// With <c>STRATA_SCREENSHOTS=1</c>, saves the viewport (1280x800) as <c>docs/img/dashboard-{name}.png</c> in the
/// repository, for the Dashboard README; otherwise does nothing, so a CI run never rewrites tracked files.
/// </summary>
public static class Screenshots
{
    public const string EnvironmentVariable = "STRATA_SCREENSHOTS";

    public static async Task SaveAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != "1")
        {
            return;
        }

        var path = Path.Combine(RepositoryRoot(), "docs", "img", $"dashboard-{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Library.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Library.sln above {AppContext.BaseDirectory}: cannot find docs/img.");
    }
}
