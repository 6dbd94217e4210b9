using Microsoft.EntityFrameworkCore;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

public sealed class ReadmeTests
{
    [Fact]
    public void Readme_table_lists_every_column_with_the_models_length_and_nullability()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Strata.ApiKeys.EntityFrameworkCore", "README.md"));
        using var database = new SqliteDatabase();
        using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(database.ConnectionString).Options);
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity))!;

        entity.GetTableName().Should().Be(ApiKeysModelBuilderExtensions.DefaultTableName);
        readme.Should().Contain($"\"{ApiKeysModelBuilderExtensions.DefaultTableName}\"");
        foreach (var property in entity.GetProperties())
        {
            readme.Should().Contain($"`{property.Name}`", "every column is documented");
            if (property.GetMaxLength() is { } length)
            {
                var type = $"string({length}){(property.IsNullable ? ", null" : string.Empty)}";
                readme.Should().MatchRegex($@"\| `{property.Name}`[^\n]*\| {System.Text.RegularExpressions.Regex.Escape(type)} \|", $"{property.Name} is documented as {type}");
            }
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
