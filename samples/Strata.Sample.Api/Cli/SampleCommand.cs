namespace Strata.Sample.Api.Cli;

/// <summary>
/// What the command line asks for. No verb: run the host. Verbs:
/// <list type="bullet">
/// <item><c>healthcheck [--url URL]</c>: exit 0 when URL (default <c>http://127.0.0.1:8080/health/ready</c>) answers 200, else 1.</item>
/// <item><c>keys create --name NAME --scopes a,b [--owner OWNER] [--plan PLAN]</c>: create a key in the database, print it once, exit.</item>
/// </list>
/// Every other argument (<c>--role api</c>, <c>--ConnectionStrings:Database=...</c>) goes to the host's configuration.
/// </summary>
internal abstract record SampleCommand(string[] HostArgs)
{
    /// <summary><c>--role</c> on the command line is the configuration key <c>Strata:Role</c>.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--role"] = "Strata:Role",
    };

    public const string Usage = """
        Usage:
          Strata.Sample.Api [--role all|api|worker] [--Key=Value ...]        run the host
          Strata.Sample.Api healthcheck [--url http://127.0.0.1:8080/health/ready]
          Strata.Sample.Api keys create --name NAME --scopes analyze,jobs:write,admin [--owner OWNER] [--plan demo|pro]
        """;

    /// <summary>
    /// Runs a command that needs no host (a usage error, <c>healthcheck</c>) and returns its exit code; null when the
    /// host is to be built (no verb, or <c>keys create</c>, which needs the host's services).
    /// </summary>
    public virtual Task<int?> RunWithoutHostAsync() => Task.FromResult<int?>(null);

    public static SampleCommand Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "healthcheck")
        {
            var options = ReadOptions(args.AsSpan(1), out var rest, "--url");
            return rest.Length > 0
                ? new UsageError($"healthcheck takes only --url, not '{rest[0]}'.")
                : new HealthCheckCommand(options.GetValueOrDefault("--url") ?? HealthCheckCommand.DefaultUrl);
        }

        if (args.Length > 0 && args[0] == "keys")
        {
            if (args.Length < 2 || args[1] != "create")
            {
                return new UsageError("The keys verb has one action: keys create --name NAME --scopes a,b.");
            }

            var options = ReadOptions(args.AsSpan(2), out var hostArgs, "--name", "--scopes", "--owner", "--plan");
            var name = options.GetValueOrDefault("--name");
            var scopes = (options.GetValueOrDefault("--scopes") ?? string.Empty)
                .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (string.IsNullOrWhiteSpace(name) || scopes.Length == 0)
            {
                return new UsageError("keys create needs --name and --scopes.");
            }

            return new KeysCreateCommand(name, options.GetValueOrDefault("--owner"), scopes, options.GetValueOrDefault("--plan"), hostArgs);
        }

        return new RunHostCommand(args);
    }

    /// <summary>Takes <c>--option value</c> and <c>--option=value</c> for the named options; the rest is returned.</summary>
    private static Dictionary<string, string> ReadOptions(ReadOnlySpan<string> args, out string[] rest, params string[] names)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var others = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                others.Add(arg);
                continue;
            }

            if (equals > 0)
            {
                values[name] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
        }

        rest = [.. others];
        return values;
    }
}

/// <summary>Run the web host.</summary>
internal sealed record RunHostCommand(string[] HostArgs) : SampleCommand(HostArgs);

/// <summary>The command line is wrong: print why and the usage, exit 2.</summary>
internal sealed record UsageError(string Message) : SampleCommand([])
{
    public override Task<int?> RunWithoutHostAsync() => Task.FromResult<int?>(Run());

    public int Run()
    {
        Console.Error.WriteLine(Message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
