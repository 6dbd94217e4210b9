using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Sample.Data.Tests;

/// <summary>
/// The test assembly doubles as a tiny "sample process" (the test SDK's generated entry point is turned off), so a test
/// can start real separate processes on one database: <c>dotnet Strata.Sample.Data.Tests.dll migrate-and-save
/// &lt;provider&gt; &lt;connection string&gt; &lt;job count&gt;</c> migrates, then saves one analysis per job
/// <c>job-0</c> ... and prints each stored analysis id.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["migrate-and-save", var provider, var connectionString, var countText] || !int.TryParse(countText, out var count))
        {
            await Console.Error.WriteLineAsync("usage: migrate-and-save <provider> <connection string> <job count>");
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:Database"] = connectionString,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSampleData(configuration);
        await using var serviceProvider = services.BuildServiceProvider();
        await serviceProvider.MigrateSampleDatabaseAsync();
        var repository = serviceProvider.GetRequiredService<IAnalysisRepository>();
        for (var i = 0; i < count; i++)
        {
            var stored = await repository.SaveAsync(new NewAnalysis(
                $"key-{Environment.ProcessId}", "A text saved by a separate process.", $"job-{i}", "Saved.", ["process"], "neutral", 0, 6));
            Console.WriteLine($"job-{i} {stored.Id}");
        }

        return 0;
    }
}
