namespace Strata.Containers.Tests;

/// <summary>Paths of the repository these tests run in.</summary>
internal static class Repository
{
    private static readonly DirectoryInfo Bin = new(AppContext.BaseDirectory); // tests/<project>/bin/<Configuration>/<tfm>/

    public static string Root { get; } = FindRoot();

    public static string ContainersConf => Path.Combine(Root, "artifacts", "containers", "containers.conf");

    /// <summary>The built sample host, of the same configuration and framework as these tests.</summary>
    public static string SampleDll => Path.Combine(Root, "samples", "Strata.Sample.Api", "bin", Bin.Parent!.Name, Bin.Name, "Strata.Sample.Api.dll");

    public static string Script(string name) => Path.Combine(Root, "build", name);

    private static string FindRoot()
    {
        for (var directory = Bin; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Library.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Library.sln) was not found above the test binaries.");
    }
}
