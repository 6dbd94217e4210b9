using System.Security.Cryptography;

namespace Strata.Dashboard.Internal;

/// <summary>The embedded stylesheet, read once; its URL carries a hash of its bytes so browsers may keep it for a year.</summary>
internal static class DashboardAssets
{
    private static readonly Lazy<(byte[] Bytes, string FileName)> Stylesheet = new(Load);

    public static byte[] StylesheetBytes => Stylesheet.Value.Bytes;

    /// <summary>"dashboard.{hash}.css".</summary>
    public static string StylesheetFileName => Stylesheet.Value.FileName;

    private static (byte[], string) Load()
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Strata.Dashboard.dashboard.css")
            ?? throw new InvalidOperationException("The dashboard's stylesheet is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(bytes), 0, 8).ToLowerInvariant();
        return (bytes, $"dashboard.{hash}.css");
    }
}
