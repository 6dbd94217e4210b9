using Strata.ApiKeys;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.Cli;

/// <summary>
/// <c>keys create --name NAME --scopes a,b [--owner OWNER] [--plan PLAN]</c>: creates a key in the configured database
/// (after migrating it), prints the key once and exits. For real deployments, where no demo key is made.
/// </summary>
internal sealed record KeysCreateCommand(string Name, string? Owner, string[] Scopes, string? Plan, string[] HostArgs)
    : SampleCommand(HostArgs)
{
    public async Task<int> RunAsync(IServiceProvider services)
    {
        var unknown = Scopes.Where(scope => !SampleScopes.All.Contains(scope, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            await Console.Error.WriteLineAsync($"Unknown scope(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", SampleScopes.All)}.");
            return 2;
        }

        var manager = services.GetRequiredService<IApiKeyManager>();
        var created = await manager.CreateAsync(new ApiKeyCreateRequest
        {
            Name = Name,
            Owner = string.IsNullOrWhiteSpace(Owner) ? Name : Owner,
            Scopes = Scopes,
            Metadata = string.IsNullOrWhiteSpace(Plan) ? null : new Dictionary<string, string> { [SampleScopes.PlanMetadata] = Plan },
        });

        var console = services.GetRequiredService<SampleConsole>();
        await console.Out.WriteLineAsync($"Created key '{created.Record.Id}' ({Name}; scopes: {string.Join(", ", Scopes)}). It is shown once:");
        await console.Out.WriteLineAsync(created.Key);
        await console.Out.FlushAsync();
        return 0;
    }
}
