using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Tests;

/// <summary>The field limits of a new key, each at its maximum and one past it (mutation testing, docs/testing.md).</summary>
public sealed class FieldLimitTests : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public FieldLimitTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStrataApiKeys().UseInMemoryStore();
        _services = services.BuildServiceProvider();
    }

    private IApiKeyManager Manager => _services.GetRequiredService<IApiKeyManager>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Theory]
    [InlineData("owner", 256, "*Owner*at most 256*")]
    [InlineData("name", 256, "*Name*at most 256*")]
    [InlineData("scope", 128, "*Scope*1 to 128*")]
    [InlineData("metadata count", 64, "*Metadata has 65 entries*at most 64*")]
    [InlineData("metadata key", 128, "*Metadata key*1 to 128*")]
    [InlineData("metadata value", 1024, "*Metadata value of 'k'*at most 1024*")]
    public async Task Create_accepts_each_field_at_its_maximum_and_refuses_one_more(string field, int maximum, string message)
    {
        var created = await Manager.CreateAsync(Request(field, maximum));

        var stored = (await Manager.GetAsync(created.Record.Id))!;
        Measure(field, stored).Should().Be(maximum, $"a {field} of exactly {maximum} is allowed and kept whole");

        var before = await Manager.ListAsync();
        var tooLong = () => Manager.CreateAsync(Request(field, maximum + 1));

        await tooLong.Should().ThrowAsync<ArgumentException>().WithMessage(message);
        (await Manager.ListAsync()).Should().HaveCount(before.Count, "the refused request stored nothing");
    }

    [Theory]
    [InlineData("ticket\u0001")]
    [InlineData("\u0007")]
    [InlineData("tic\nket")]
    [InlineData("ticket\u007F")]
    public async Task Metadata_key_containing_a_control_character_is_refused(string key)
    {
        var create = () => Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "o",
            Metadata = new Dictionary<string, string> { ["fine"] = "1", [key] = "2" },
        });

        await create.Should().ThrowAsync<ArgumentException>().WithMessage("*Metadata key*without control characters*");
        (await Manager.ListAsync()).Should().BeEmpty("the refused request stored nothing");
    }

    [Fact]
    public async Task Metadata_key_with_printable_punctuation_and_non_ascii_letters_is_accepted()
    {
        var created = await Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "o",
            Metadata = new Dictionary<string, string> { ["ticket-id.é:1"] = "2" },
        });

        created.Record.Metadata.Should().ContainKey("ticket-id.é:1");
    }

    private static ApiKeyCreateRequest Request(string field, int length) => field switch
    {
        "owner" => new ApiKeyCreateRequest { Owner = new string('o', length) },
        "name" => new ApiKeyCreateRequest { Owner = "o", Name = new string('n', length) },
        "scope" => new ApiKeyCreateRequest { Owner = "o", Scopes = [new string('s', length)] },
        "metadata count" => new ApiKeyCreateRequest
        {
            Owner = "o",
            Metadata = Enumerable.Range(0, length).ToDictionary(i => $"k{i}", i => "v"),
        },
        "metadata key" => new ApiKeyCreateRequest
        {
            Owner = "o",
            Metadata = new Dictionary<string, string> { [new string('k', length)] = "v" },
        },
        "metadata value" => new ApiKeyCreateRequest
        {
            Owner = "o",
            Metadata = new Dictionary<string, string> { ["k"] = new string('v', length) },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no such field"),
    };

    private static int Measure(string field, ApiKeyRecord record) => field switch
    {
        "owner" => record.Owner.Length,
        "name" => record.Name!.Length,
        "scope" => record.Scopes.Single().Length,
        "metadata count" => record.Metadata.Count,
        "metadata key" => record.Metadata.Keys.Single().Length,
        "metadata value" => record.Metadata.Values.Single().Length,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no such field"),
    };
}
