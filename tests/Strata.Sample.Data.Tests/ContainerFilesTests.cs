using System.Text.RegularExpressions;

namespace Strata.Sample.Data.Tests;

/// <summary>
/// No container engine runs where these tests run, so the Dockerfile and compose file are checked as text: the
/// restore layer copies every project, no registry is named, and compose uses the sample's configuration keys.
/// </summary>
public sealed partial class ContainerFilesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Root, "samples", "Dockerfile"));
    private static readonly string Compose = File.ReadAllText(Path.Combine(Root, "samples", "compose.yaml"));

    [Fact]
    public void The_restore_layer_copies_every_library_and_sample_project()
    {
        var projects = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Root, "samples"), "*.csproj", SearchOption.AllDirectories))
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .ToList();

        projects.Should().Contain("samples/Strata.Sample.Data/Strata.Sample.Data.csproj");
        foreach (var project in projects)
        {
            Dockerfile.Should().Contain($"COPY {project} {Path.GetDirectoryName(project)!.Replace('\\', '/')}/", "restore needs every project file");
        }

        Dockerfile.Should().Contain("RUN dotnet restore samples/Strata.Sample.Api/Strata.Sample.Api.csproj");
        Dockerfile.IndexOf("RUN dotnet restore", StringComparison.Ordinal).Should().BeLessThan(Dockerfile.IndexOf("COPY src/ src/", StringComparison.Ordinal), "sources come after the restore layer");
    }

    [Fact]
    public void The_images_come_from_build_arguments_without_defaults_and_the_app_runs_as_the_non_root_user()
    {
        Dockerfile.Should().MatchRegex(@"(?m)^ARG SDK_IMAGE\s*$").And.MatchRegex(@"(?m)^ARG RUNTIME_IMAGE\s*$");
        Dockerfile.Should().Contain("FROM ${SDK_IMAGE} AS build").And.Contain("FROM ${RUNTIME_IMAGE} AS runtime");
        Dockerfile.Should().MatchRegex(@"(?m)^USER \$APP_UID\s*$");
        Dockerfile.Should().Contain("--chown=$APP_UID:$APP_UID /app/data");
        Dockerfile.Should().Contain("ENTRYPOINT [\"dotnet\", \"Strata.Sample.Api.dll\"]");
        Compose.Should().Contain("${DOTNET_SDK_IMAGE:?").And.Contain("${ASPNET_RUNTIME_IMAGE:?");
    }

    [Fact]
    public void Compose_wires_both_roles_to_redis_and_postgres_with_the_sample_configuration_keys()
    {
        Compose.Should().Contain("command: [\"--role\", \"api\"]").And.Contain("command: [\"--role\", \"worker\"]");
        Compose.Should().Contain("Strata__Role: api").And.Contain("Strata__Role: worker");
        Compose.Should().Contain("Database__Provider: Postgres").And.Contain("ConnectionStrings__Database: Host=postgres;").And.Contain("ConnectionStrings__Redis: redis:6379");
        Compose.Should().Contain("image: ${REDIS_IMAGE:-redis:7}").And.Contain("image: ${POSTGRES_IMAGE:-postgres:16}");
        Compose.Should().Contain("[\"CMD\", \"dotnet\", \"Strata.Sample.Api.dll\", \"healthcheck\"]").And.Contain("redis-cli").And.Contain("pg_isready");
        Regex.Matches(Compose, "condition: service_healthy").Should().HaveCount(4, "api and worker each wait for redis and postgres");
    }

    [Fact]
    public void No_container_file_names_a_registry_host()
    {
        foreach (var text in new[] { Dockerfile, Compose, File.ReadAllText(Path.Combine(Root, ".dockerignore")) })
        {
            HostName().Matches(text).Select(m => m.Value).Should().BeEmpty();
            text.Should().NotContain("://");
        }
    }

    [GeneratedRegex(@"\b(?!asp\.net\b)[a-z0-9-]+\.(io|com|org|net)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HostName();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")) && Directory.Exists(Path.Combine(directory.FullName, "samples")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Directory.Packages.props and samples/) was not found above the test binaries.");
    }
}
