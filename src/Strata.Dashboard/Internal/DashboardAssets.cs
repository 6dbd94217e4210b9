using System.Security.Cryptography;

namespace Strata.Dashboard.Internal;

/// <summary>
/// The embedded assets, read once: the stylesheet, the overview's script, and the vendored uPlot (script and
/// stylesheet). Each URL carries a hash of the asset's bytes, so browsers may keep it for a year.
/// </summary>
internal static class DashboardAssets
{
    private static readonly Lazy<Dictionary<string, DashboardAsset>> All = new(Load);

    /// <summary>dashboard.{hash}.css.</summary>
    public static DashboardAsset Stylesheet => All.Value["dashboard.css"];

    /// <summary>dashboard.{hash}.js: polls the series and draws the overview's charts.</summary>
    public static DashboardAsset Script => All.Value["dashboard.js"];

    /// <summary>uplot.{hash}.js: uPlot, vendored.</summary>
    public static DashboardAsset ChartScript => All.Value["uplot.js"];

    /// <summary>uplot.{hash}.css: uPlot's stylesheet, vendored.</summary>
    public static DashboardAsset ChartStylesheet => All.Value["uplot.css"];

    public static byte[] StylesheetBytes => Stylesheet.Bytes;

    /// <summary>"dashboard.{hash}.css".</summary>
    public static string StylesheetFileName => Stylesheet.FileName;

    /// <summary>The asset served under <paramref name="fileName"/>, or null.</summary>
    public static DashboardAsset? Find(string fileName)
    {
        foreach (var asset in All.Value.Values)
        {
            if (string.Equals(asset.FileName, fileName, StringComparison.Ordinal))
            {
                return asset;
            }
        }

        return null;
    }

    private static Dictionary<string, DashboardAsset> Load() => new(StringComparer.Ordinal)
    {
        ["dashboard.css"] = Read("Strata.Dashboard.dashboard.css", "dashboard", ".css", "text/css; charset=utf-8"),
        ["dashboard.js"] = Read("Strata.Dashboard.dashboard.js", "dashboard", ".js", "text/javascript; charset=utf-8"),
        ["uplot.js"] = Read("Strata.Dashboard.vendor.uplot.js", "uplot", ".js", "text/javascript; charset=utf-8"),
        ["uplot.css"] = Read("Strata.Dashboard.vendor.uplot.css", "uplot", ".css", "text/css; charset=utf-8"),
    };

    private static DashboardAsset Read(string resource, string name, string extension, string contentType)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The dashboard's asset {resource} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(bytes), 0, 8).ToLowerInvariant();
        return new DashboardAsset($"{name}.{hash}{extension}", contentType, bytes);
    }
}
