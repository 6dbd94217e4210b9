using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Sample.Data.Tests;

/// <summary>The model and each provider's generated migrations agree (no change left to add as a migration).</summary>
public sealed class ModelTests
{
    public static TheoryData<string, string> Providers => new()
    {
        { "Sqlite", "Data Source=never-opened.db" },
        { "Postgres", "Host=127.0.0.1;Database=never_opened" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_model_has_no_changes_missing_from_the_providers_migrations(string provider, string connectionString)
    {
        await using var host = TestHost.Create(provider, connectionString);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();

        db.Database.GetMigrations().Should().NotBeEmpty();
        db.Database.HasPendingModelChanges().Should().BeFalse("run dotnet-ef migrations add for the {0} context (see the project README)", provider);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Keywords_are_a_json_array_in_a_text_column_and_the_job_index_is_unique(string provider, string connectionString)
    {
        await using var host = TestHost.Create(provider, connectionString);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var analysis = db.GetService<IDesignTimeModel>().Model.FindEntityType(typeof(Analysis))!;

        var keywords = analysis.FindProperty(nameof(Analysis.Keywords))!;
        keywords.GetColumnType().Should().BeEquivalentTo("text");
        keywords.GetValueConverter()!.ConvertToProvider(new List<string> { "a", "b" }).Should().Be("[\"a\",\"b\"]");
        keywords.GetValueComparer().Equals(new List<string> { "a" }, new List<string> { "a" }).Should().BeTrue();
        keywords.GetValueComparer().Equals(new List<string> { "a" }, new List<string> { "b" }).Should().BeFalse();
        analysis.GetIndexes().Should().ContainSingle(i => i.IsUnique && i.Properties.Single().Name == nameof(Analysis.JobId));
        db.Model.FindEntityType("Strata.ApiKeys.EntityFrameworkCore.ApiKeyEntity").Should().NotBeNull("the API-key table is part of the model");
    }
}
