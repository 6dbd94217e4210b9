using System.Text.Json;
using Strata.Testing;

namespace Strata.Compatibility.Tests;

/// <summary>
/// Apps made from the SDK's own templates take the packages as a user would, build with warnings as errors, and run
/// against a real redis-server: the packages must not force an app to change or upgrade anything it already has.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed class TemplateAppTests(LocalFeed feed)
{
    /// <summary>The newest Swashbuckle.AspNetCore that restores here on .NET 10.</summary>
    private const string NewestSwashbuckle = "11.0.1";

    private static readonly string[] CorePackages =
    [
        "Strata.ApiKeys", "Strata.ApiKeys.EntityFrameworkCore", "Strata.RateLimiting", "Strata.RateLimiting.Redis", "Strata.Jobs", "Strata.Jobs.Redis",
    ];

    /// <summary>The description packages, one line per Swashbuckle major: "" for 10 (Microsoft.OpenApi 2), "11" for 11 (3).</summary>
    private static string[] SwashbucklePackages(string line) =>
    [
        "Strata.ApiKeys.Swashbuckle" + line, "Strata.RateLimiting.Swashbuckle" + line, "Strata.Jobs.Swashbuckle" + line,
    ];

    [Fact]
    public async Task Webapi_template_app_keeps_its_pinned_OpenApi_version_and_serves_keys_limits_jobs_and_the_document()
    {
        var app = await ConsumerApp.CreateAsync(feed, "webapi", "CompatWebApi");
        var pinned = app.TemplatePackages();
        pinned.Should().ContainKey("Microsoft.AspNetCore.OpenApi", "the webapi template pins its own OpenAPI version");
        app.AddPackages(Strata([.. CorePackages, "Strata.ApiKeys.OpenApi"]));
        await app.WriteProgramAsync(Program(
            services: "builder.Services.AddOpenApi(options => options.AddApiKeySecurityScheme());",
            pipeline: "app.MapOpenApi();"));

        var build = await app.BuildAsync();
        build.Should().NotContain("NU1605", "no package downgrade");

        await using var redis = await RedisServer.StartAsync();
        await using var running = await app.StartAsync(redis);
        await StrataFlow.ExerciseAsync(running);

        using var client = running.CreateClient(withKey: false);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");
        ResolvedVersion(app, "Microsoft.AspNetCore.OpenApi").Should().Be(pinned["Microsoft.AspNetCore.OpenApi"], "Strata does not lift the template's pin");
    }

    [Theory]
    [InlineData("8.1.4")]
    [InlineData(NewestSwashbuckle)]
    public async Task Swashbuckle_app_starts_serves_its_document_and_strata(string swashbuckleVersion)
    {
        var app = await ConsumerApp.CreateAsync(feed, "web", "CompatSwashbuckle" + swashbuckleVersion.Replace(".", "", StringComparison.Ordinal));
        app.AddPackages([new("Swashbuckle.AspNetCore", swashbuckleVersion), .. Strata(CorePackages)]);
        await app.WriteProgramAsync(Program(
            services: "builder.Services.AddEndpointsApiExplorer();\nbuilder.Services.AddSwaggerGen();",
            pipeline: "app.UseSwagger();"));

        await app.BuildAsync();

        await using var redis = await RedisServer.StartAsync();
        await using var running = await app.StartAsync(redis);
        using var client = running.CreateClient(withKey: false);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        document.RootElement.GetProperty("paths").TryGetProperty("/jobs", out _).Should().BeTrue("Swashbuckle describes the job endpoints");
        await StrataFlow.ExerciseAsync(running);
    }

    /// <summary>
    /// Each Swashbuckle line on its floor: Strata.*.Swashbuckle on Swashbuckle 10 (Microsoft.OpenApi 2),
    /// Strata.*.Swashbuckle11 on Swashbuckle 11 (Microsoft.OpenApi 3), the same calls in both.
    /// </summary>
    [Theory]
    [InlineData("", "10.0.0")]
    [InlineData("11", "11.0.0")]
    public async Task Swashbuckle_app_on_the_floor_describes_keys_limits_and_jobs_with_the_Strata_Swashbuckle_packages_of_its_major(string line, string expectedFloor)
    {
        var floor = feed.Dependencies("Strata.ApiKeys.Swashbuckle" + line, "net10.0")["Swashbuckle.AspNetCore.SwaggerGen"];
        floor.Should().Be(expectedFloor);
        var app = await ConsumerApp.CreateAsync(feed, "web", "CompatSwashbuckleFloor" + line);
        app.AddPackages([new("Swashbuckle.AspNetCore", floor), .. Strata([.. CorePackages, .. SwashbucklePackages(line)])]);
        await app.WriteProgramAsync(Program(
            services: "builder.Services.AddEndpointsApiExplorer();\n" +
                "builder.Services.AddSwaggerGen(o => o.AddApiKeySecurityScheme().AddRateLimitDescriptions().AddJobEndpointDescriptions());",
            pipeline: "app.UseSwagger();"));

        await app.BuildAsync();
        ResolvedVersion(app, "Swashbuckle.AspNetCore.SwaggerGen").Should().Be(floor);

        await using var redis = await RedisServer.StartAsync();
        await using var running = await app.StartAsync(redis);
        using var client = running.CreateClient(withKey: false);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        var paths = document.RootElement.GetProperty("paths");
        var me = paths.GetProperty("/me").GetProperty("get");
        me.GetProperty("security").EnumerateArray().Single().EnumerateObject().Single().Name.Should().Be("ApiKey");
        me.GetProperty("responses").GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _).Should().BeTrue();
        me.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _).Should().BeTrue();
        paths.GetProperty("/jobs").GetProperty("post").GetProperty("responses").GetProperty("202").GetProperty("headers")
            .TryGetProperty("Location", out _).Should().BeTrue();
        await StrataFlow.ExerciseAsync(running);
    }

    [Fact]
    public async Task App_pinned_to_the_StackExchange_Redis_floor_takes_both_Redis_packages_and_runs_on_it()
    {
        var floor = feed.Dependencies("Strata.Jobs.Redis", "net10.0")["StackExchange.Redis"];
        feed.Dependencies("Strata.RateLimiting.Redis", "net10.0")["StackExchange.Redis"].Should().Be(floor, "both Redis packages ask for the same floor");
        floor.Should().StartWith("2.", "a 2.x client is enough");

        var app = await ConsumerApp.CreateAsync(feed, "web", "CompatRedisFloor");
        app.AddPackages([new("StackExchange.Redis", floor), .. Strata(CorePackages)]);
        await app.WriteProgramAsync(Program());
        await app.BuildAsync();
        ResolvedVersion(app, "StackExchange.Redis").Should().Be(floor);

        await using var redis = await RedisServer.StartAsync();
        await using var running = await app.StartAsync(redis);
        await StrataFlow.ExerciseAsync(running);
    }

    [Fact]
    public async Task Net8_app_builds_with_every_package_that_targets_net8()
    {
        // The SDK 10 templates offer net10.0 only: the app is made as a user on .NET 8 has it, by naming net8.0.
        var app = await ConsumerApp.CreateAsync(feed, "web", "CompatNet8");
        app.SetTargetFramework("net8.0");
        app.AddPackages(Strata(CorePackages));
        await app.WriteProgramAsync(Program());

        // Build only: this machine has no .NET 8 runtime.
        await app.BuildAsync();
        File.Exists(Path.Combine(app.Directory, "bin", "Release", "net8.0", "Strata.Jobs.Redis.dll")).Should().BeTrue();
    }

    private KeyValuePair<string, string>[] Strata(IEnumerable<string> packages) =>
        [.. packages.Select(p => new KeyValuePair<string, string>(p, feed.Version))];

    private static string Program(string usings = "", string services = "", string pipeline = "")
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Consumers", "StrataProgram.cs.txt"));
        return text.Replace("//{usings}", usings, StringComparison.Ordinal)
            .Replace("//{services}", services, StringComparison.Ordinal)
            .Replace("//{pipeline}", pipeline, StringComparison.Ordinal);
    }

    /// <summary>The version restore chose for a package, from the app's project.assets.json.</summary>
    private static string ResolvedVersion(ConsumerApp app, string package)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, "obj", "project.assets.json")));
        var prefix = package + "/";
        return assets.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(p => p.Name)
            .Single(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))[prefix.Length..];
    }
}
