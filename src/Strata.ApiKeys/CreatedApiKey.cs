namespace Strata.ApiKeys;

/// <summary>A newly created key: the plaintext, returned only this once, and its record.</summary>
public sealed class CreatedApiKey
{
    /// <summary>The plaintext key. It is not stored anywhere: hand it to the client now.</summary>
    public required string Key { get; init; }

    /// <summary>The stored record.</summary>
    public required ApiKeyRecord Record { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"CreatedApiKey {{ Id = {Record.Id} }}";
}
