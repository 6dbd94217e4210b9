using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strata.OpenApi.Approval;

/// <summary>
/// Compares a whole OpenAPI document with the approved copy committed beside the test (<c>Approved/&lt;name&gt;.approved.json</c>),
/// both normalised: object members in ordinal order, two-space indentation, LF line ends. On a difference it writes
/// <c>&lt;name&gt;.received.json</c> next to it and fails; with <c>STRATA_ACCEPT_DOCUMENTS=1</c> it overwrites the approved
/// copy instead. Linked into every OpenAPI and Swashbuckle test project.
/// </summary>
internal static class ApprovedDocument
{
    /// <summary>The environment variable that makes a run accept the received documents.</summary>
    public const string AcceptVariable = "STRATA_ACCEPT_DOCUMENTS";

    /// <summary>The <c>Approved</c> folder beside the calling source file.</summary>
    public static string Folder([CallerFilePath] string callerFile = "") =>
        Path.Combine(Path.GetDirectoryName(callerFile)!, "Approved");

    /// <summary>Fails unless <paramref name="json"/> equals the approved document <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static void Verify(string json, string name, string folder)
    {
        folder = InRepository(folder);
        var received = Normalise(json);
        var approvedPath = Path.Combine(folder, name + ".approved.json");
        var receivedPath = Path.Combine(folder, name + ".received.json");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(approvedPath, received, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received, new UTF8Encoding(false));
        Assert.Fail(
            $"The document differs from {approvedPath} (first difference at line {FirstDifference(approved ?? string.Empty, received)}); " +
            $"the received one is in {receivedPath}. Compare the two; if the received document is right, run the test again with " +
            $"{AcceptVariable}=1 to accept it, and commit the approved file.");
    }

    /// <summary>
    /// <paramref name="folder"/> as a path on this machine. A deterministic build (<c>CI=true</c>, as <c>.ci/run</c> does)
    /// maps source paths, so <c>[CallerFilePath]</c> reads <c>/_/tests/...</c>: that prefix stands for the repository
    /// root, found above the test's output folder by its <c>Library.sln</c>.
    /// </summary>
    private static string InRepository(string folder)
    {
        const string Mapped = "/_/";
        var unixFolder = folder.Replace('\\', '/');
        if (Directory.Exists(folder) || !unixFolder.StartsWith(Mapped, StringComparison.Ordinal))
        {
            return folder;
        }

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Library.sln")))
        {
            root = root.Parent;
        }

        return root is null
            ? throw new InvalidOperationException($"No Library.sln above {AppContext.BaseDirectory}: the approved documents are read from the repository.")
            : Path.Combine(root.FullName, unixFolder[Mapped.Length..]);
    }

    /// <summary>The document with object members in ordinal order, indented by two spaces, LF line ends, a final LF.</summary>
    public static string Normalise(string json)
    {
        var sorted = Sort(JsonNode.Parse(json));
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return (sorted?.ToJsonString(options) ?? "null") + "\n";
    }

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray array => new JsonArray([.. array.Select(item => Sort(item?.DeepClone()))]),
        _ => node?.DeepClone(),
    };

    private static int FirstDifference(string approved, string received)
    {
        var a = approved.Split('\n');
        var r = received.Split('\n');
        var line = 0;
        while (line < a.Length && line < r.Length && a[line] == r[line])
        {
            line++;
        }

        return line + 1;
    }
}
