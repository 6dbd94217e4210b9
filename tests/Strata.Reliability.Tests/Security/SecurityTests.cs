using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests.Security;

/// <summary>
/// Issue #8, security: keys never in logs, only hashes at rest, 401/403 semantics, against the BUILT sample host run
/// once (<see cref="SecurityScenario"/>) with every log category at Trace and a pepper.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class SecurityTests(SecurityScenario scenario, ITestOutputHelper output) : IClassFixture<SecurityScenario>
{
    private const string Challenge = "ApiKey realm=\"api\"";
    private const string Missing = "An API key is required. Send your API key in the X-Api-Key header.";
    private const string Malformed = "The API key is malformed.";
    private const string NotValid = "The API key is not valid.";

    /// <summary>Every case that must be a 401, with the detail the package documents for it.</summary>
    private static readonly Dictionary<string, string> Unauthorized = new(StringComparer.Ordinal)
    {
        ["no key"] = Missing,
        ["empty"] = Malformed,
        ["whitespace"] = Malformed,
        ["wrong prefix"] = Malformed,
        ["wrong prefix, same secret"] = Malformed,
        ["truncated"] = Malformed,
        ["prefix only"] = Malformed,
        ["too long"] = Malformed,
        ["bad character"] = Malformed,
        ["bad checksum"] = Malformed,
        ["two X-Api-Key values"] = Malformed,
        ["key with a trailing comment"] = Malformed,
        ["unknown key of valid shape"] = NotValid,
        ["right prefix, wrong secret"] = NotValid,
        ["revoked"] = "The API key has been revoked.",
        ["rotated away (no overlap)"] = "The API key has expired.",
        ["expired"] = "The API key has expired.",
        // The sample accepts X-Api-Key only: a key anywhere else is no key at all.
        ["Authorization: ApiKey"] = Missing,
        ["Authorization: Bearer"] = Missing,
        ["query string api_key"] = Missing,
        ["query string apikey"] = Missing,
        ["query string key"] = Missing,
        ["query string X-Api-Key"] = Missing,
        ["query string access_token"] = Missing,
    };

    [Fact]
    public void Every_bad_or_missing_key_gets_401_with_a_challenge_and_a_problem_details_body_that_never_echoes_the_key()
    {
        Report();
        foreach (var (name, detail) in Unauthorized)
        {
            var exchange = scenario[name];
            var because = $"case '{name}': {exchange}";
            exchange.Status.Should().Be(401, because);
            exchange.Challenge.Should().Be(Challenge, because);
            exchange.ContentType.Should().Be("application/problem+json", because);
            using var body = JsonDocument.Parse(exchange.Body);
            body.RootElement.GetProperty("status").GetInt32().Should().Be(401, because);
            body.RootElement.GetProperty("title").GetString().Should().Be("Unauthorized", because);
            body.RootElement.GetProperty("detail").GetString().Should().Be(detail, because);
            NeverEchoed(exchange).Should().BeEmpty(because);
        }
    }

    [Fact]
    public void Valid_keys_authenticate_only_through_the_X_Api_Key_header_including_a_rotated_key_inside_its_overlap()
    {
        string[] valid =
        [
            "valid", "valid lower-case header name", "valid rotated successor", "valid old key in overlap", "valid overlap successor",
            "valid to-revoke before", "valid to-rotate before", "valid to-rotate-with-overlap before", "valid expiring before", "valid writer before",
        ];
        foreach (var name in valid)
        {
            var exchange = scenario[name];

            // An unknown job id: 404 from the endpoint, so authentication and the scope check both passed.
            exchange.Status.Should().Be(404, $"case '{name}': {exchange}");
            exchange.Body.Should().Contain("Job not found", name);
            exchange.Challenge.Should().BeNull(name);
        }

        scenario["analyze"].Status.Should().Be(200, scenario["analyze"].ToString());
        scenario["job submit"].Status.Should().Be(202, scenario["job submit"].ToString());
        scenario["job status"].Status.Should().Be(200, scenario["job status"].ToString());
        scenario["admin list"].Status.Should().Be(200, scenario["admin list"].ToString());
    }

    [Fact]
    public void Unknown_and_wrong_secret_keys_get_byte_for_byte_the_same_401_so_the_answer_is_no_oracle()
    {
        var unknown = WithoutTraceId(scenario["unknown key of valid shape"].Body);
        WithoutTraceId(scenario["right prefix, wrong secret"].Body).Should().Be(unknown);
        WithoutTraceId(scenario["guess #1"].Body).Should().Be(unknown);

        // Every malformed shape gets one answer too: which rule a key broke is not told.
        var malformed = Unauthorized.Where(c => c.Value == Malformed).Select(c => WithoutTraceId(scenario[c.Key].Body)).Distinct().ToList();
        malformed.Should().ContainSingle();

        // Revoked and expired are told apart from unknown (documented): only to a caller that holds the real key.
        WithoutTraceId(scenario["revoked"].Body).Should().NotBe(unknown);
    }

    [Fact]
    public void A_valid_key_without_the_scope_gets_403_and_another_keys_job_is_404()
    {
        foreach (var name in new[] { "missing scope jobs:write", "missing scope admin" })
        {
            var exchange = scenario[name];
            exchange.Status.Should().Be(403, exchange.ToString());
            exchange.Challenge.Should().BeNull("a 403 is not a challenge");
            exchange.ContentType.Should().Be("application/problem+json");
            JsonDocument.Parse(exchange.Body).RootElement.GetProperty("status").GetInt32().Should().Be(403);
            NeverEchoed(exchange).Should().BeEmpty(name);
        }

        foreach (var name in new[] { "another key's job", "another key's job cancel" })
        {
            var exchange = scenario[name];
            exchange.Status.Should().Be(404, exchange.ToString());
            exchange.Body.Should().Contain("Job not found");
        }

        scenario["writer submit"].Status.Should().Be(202, "the other key could write jobs: the 404 is about ownership");
    }

    [Fact]
    public void Repeated_bad_keys_from_one_address_get_429_with_Retry_After_and_a_small_plan_gets_429_from_the_rate_limiter()
    {
        for (var i = 1; i <= SecurityScenario.BruteForcePermits; i++)
        {
            scenario[$"guess #{i}"].Status.Should().Be(401, $"guess #{i} is within the permitted failures");
        }

        var valid = scenario["valid key from a blocked address"];
        valid.Status.Should().Be(404, "a valid key is accepted from a blocked address (clients behind one NAT): the job does not exist");
        foreach (var name in new[] { $"guess #{SecurityScenario.BruteForcePermits + 1}", $"guess #{SecurityScenario.BruteForcePermits + 2}" })
        {
            var exchange = scenario[name];
            exchange.Status.Should().Be(429, exchange.ToString());
            exchange.RetryAfter.Should().NotBeNullOrEmpty(name);
            exchange.Challenge.Should().BeNull(name);
            exchange.ContentType.Should().Be("application/problem+json", name);
            NeverEchoed(exchange).Should().BeEmpty(name);
        }

        var tiny = Enumerable.Range(1, 5).Select(i => scenario[$"tiny plan #{i}"]).ToList();
        tiny.Take(3).Should().OnlyContain(e => e.Status == 404, "the plan's burst is 3");
        tiny.Skip(3).Should().Contain(e => e.Status == 429 && e.RetryAfter != null);
    }

    [Fact]
    public void Errors_and_malformed_header_lines_get_4xx_that_never_echo_a_key()
    {
        scenario["raw: header without colon"].Status.Should().Be(400);
        scenario["raw: stray carriage return"].Status.Should().Be(400);
        scenario["raw: control character"].Status.Should().BeOneOf(400, 401);
        scenario["raw: key as header name"].Status.Should().Be(401, "a header named like a key carries no key");
        scenario["admin rotate revoked key"].Status.Should().Be(409);
        scenario["admin create with unknown scope"].Status.Should().Be(400);
        scenario["invalid json"].Status.Should().Be(400);
        scenario["unknown job"].Status.Should().Be(404);
        foreach (var exchange in scenario.Exchanges.Where(e => e.Case.StartsWith("raw:", StringComparison.Ordinal) || e.Case.StartsWith("admin rotate revoked", StringComparison.Ordinal)))
        {
            NeverEchoed(exchange).Should().BeEmpty(exchange.Case);
        }

        scenario.Exchanges.Should().NotContain(e => e.Status >= 500, "no bad key is a server error");
    }

    [Fact]
    public void No_key_secret_part_hash_or_pepper_appears_in_any_log_line_at_trace_level()
    {
        Report();
        scenario.HostExitCode.Should().Be(0, "the host stops cleanly on SIGTERM");
        var log = scenario.HostOutput;

        // The logs really were at the most verbose level, in every category a key passes through.
        string[] categories =
        [
            "trce: Microsoft.AspNetCore.Routing", "dbug: Microsoft.AspNetCore.Server.Kestrel", "dbug: Microsoft.EntityFrameworkCore.Database.Command",
            "info: Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Authorization", "dbug: Strata.ApiKeys.Internal.ApiKeyAuthenticationHandler",
            "info: Strata.ApiKeys.Internal.ApiKeyManager",
        ];
        foreach (var category in categories)
        {
            log.Contains(category, StringComparison.Ordinal).Should().BeTrue($"the host logged '{category}' (every category at Trace)");
        }

        foreach (var (label, id) in scenario.Ids)
        {
            log.Should().Contain(id, $"the key '{label}' is named by its id in the log");
        }

        var scanner = Scanner();
        var found = scanner.Scan("host", log);

        // The verb prints the new key once, on a line of its own (the one place a key is meant to be shown).
        var verbLines = scenario.VerbOutput.Split('\n');
        verbLines.Count(line => line.Trim() == scenario.Keys["admin"]).Should().Be(1, scenario.VerbOutput);
        found.AddRange(scanner.Scan("keys create", string.Join('\n', verbLines.Where(line => line.Trim() != scenario.Keys["admin"]))));
        found.Should().BeEmpty();
    }

    [Fact]
    public void Responses_carry_a_key_only_when_creating_or_rotating_one_and_never_a_hash_or_the_pepper()
    {
        var creating = scenario.Exchanges.Where(e => e.Case.StartsWith("admin create ", StringComparison.Ordinal) || e.Case.StartsWith("admin rotate to-", StringComparison.Ordinal)).ToList();
        creating.Should().HaveCount(scenario.CreateResponses.Count + 1, "every create and rotate plus one refused create");

        var everything = Scanner();
        everything.AddKey("url", scenario.UrlKey, scenario.Pepper);
        var found = new List<string>();
        foreach (var exchange in scenario.Exchanges.Except(creating))
        {
            found.AddRange(everything.Scan(exchange.Case, exchange.Body));
        }

        var hashesOnly = new SecretScanner().AddPepper(scenario.Pepper);
        foreach (var (label, key) in scenario.Keys.Append(new("url", scenario.UrlKey)))
        {
            hashesOnly.AddHashOnly(label, KeyShapes.StoredHash(key, scenario.Pepper)).AddHashOnly(label + " plain", KeyShapes.StoredHash(key, null));
        }

        foreach (var exchange in creating)
        {
            found.AddRange(hashesOnly.Scan(exchange.Case, exchange.Body));
        }

        found.Should().BeEmpty();
    }

    [Fact]
    public async Task The_database_holds_no_key_or_secret_part_in_any_table_column_or_byte_of_its_files()
    {
        var tables = await ReadEveryTableAsync();
        output.WriteLine($"read {tables.Count} tables: {string.Join(", ", tables.Select(t => $"{t.Key} ({t.Value.Count} rows)"))}");
        tables.Should().ContainKey("StrataApiKeys");
        tables["StrataApiKeys"].Should().HaveCount(scenario.Keys.Count + 1, "every key made (and the one sent in a URL) is a row");

        var scanner = Scanner();
        scanner.AddKey("url", scenario.UrlKey, scenario.Pepper);
        var secretsOnly = SecretsOnly();
        var found = new List<string>();
        foreach (var (table, rows) in tables)
        {
            foreach (var row in rows)
            {
                foreach (var (column, value) in row)
                {
                    found.AddRange(secretsOnly.Scan($"{table}.{column}", value));
                }
            }
        }

        // Every byte of every file of the database (main file, WAL, journal): free pages and old row versions included.
        var directory = Path.GetDirectoryName(scenario.DatabasePath)!;
        var files = Directory.GetFiles(directory);
        files.Should().Contain(scenario.DatabasePath);
        foreach (var file in files)
        {
            found.AddRange(secretsOnly.ScanBytes(Path.GetFileName(file), await File.ReadAllBytesAsync(file)));
        }

        found.Should().BeEmpty();
    }

    [Fact]
    public async Task Each_stored_hash_is_the_documented_lower_case_hex_HMAC_SHA256_of_its_key_with_the_pepper()
    {
        var tables = await ReadEveryTableAsync();
        var rows = tables["StrataApiKeys"].ToDictionary(row => row["Id"], row => row["Hash"], StringComparer.Ordinal);
        var adminId = AdminIdPattern().Match(scenario.VerbOutput).Groups[1].Value;
        var ids = new Dictionary<string, string>(scenario.Ids, StringComparer.Ordinal) { ["admin"] = adminId };
        foreach (var (label, key) in scenario.Keys.Append(new("url", scenario.UrlKey)))
        {
            var hash = rows[ids[label]];
            hash.Should().MatchRegex("^[0-9a-f]{64}$", label);
            hash.Should().Be(KeyShapes.StoredHash(key, scenario.Pepper), $"{label}: HMAC-SHA256 keyed by the pepper, as documented");
            hash.Should().NotBe(KeyShapes.StoredHash(key, pepper: null), label);
        }

        rows.Values.Should().OnlyContain(hash => HexHash().IsMatch(hash), "every row holds a 64-character lower-case hex hash");
    }

    private SecretScanner Scanner()
    {
        var scanner = new SecretScanner().AddPepper(scenario.Pepper);
        foreach (var (label, key) in scenario.Keys)
        {
            scanner.AddKey(label, key, scenario.Pepper);
        }

        return scanner;
    }

    /// <summary>Keys, secret parts and the pepper, without hashes (the database holds the hashes by design).</summary>
    private SecretScanner SecretsOnly()
    {
        var scanner = new SecretScanner().AddPepper(scenario.Pepper).AddSecretsOf("url", scenario.UrlKey);
        foreach (var (label, key) in scenario.Keys)
        {
            scanner.AddSecretsOf(label, key);
        }

        return scanner;
    }

    /// <summary>The presented key, its secret part and each 16-character window of it, found in the answer.</summary>
    private static List<string> NeverEchoed(Exchange exchange)
    {
        if (exchange.Presented is not { Length: >= 16 } presented || string.IsNullOrWhiteSpace(presented))
        {
            return [];
        }

        var found = new List<string>();
        for (var i = 0; i + 16 <= presented.Length; i++)
        {
            var window = presented.Substring(i, 16);
            if (!window.StartsWith("sk_sample_", StringComparison.Ordinal) && exchange.Body.Contains(window, StringComparison.Ordinal))
            {
                found.Add($"characters {i}..{i + 16} of the presented key");
            }
        }

        return found;
    }

    private async Task<Dictionary<string, List<Dictionary<string, string>>>> ReadEveryTableAsync()
    {
        var tables = new Dictionary<string, List<Dictionary<string, string>>>(StringComparer.Ordinal);
        var builder = new SqliteConnectionStringBuilder { DataSource = scenario.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            var rows = new List<Dictionary<string, string>>();
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? ""
                        : reader.GetValue(i) is byte[] blob ? System.Text.Encoding.UTF8.GetString(blob) + "\n" + Convert.ToHexString(blob)
                        : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                }

                rows.Add(row);
            }

            tables[name] = rows;
        }

        return tables;
    }

    private void Report()
    {
        output.WriteLine($"{scenario.Exchanges.Count} requests; host output {scenario.HostOutput.Split('\n').Length} lines; exit {scenario.HostExitCode}");
        foreach (var exchange in scenario.Exchanges)
        {
            output.WriteLine($"{exchange.Status} {exchange.Case}");
        }
    }

    private static string WithoutTraceId(string body) => TraceId().Replace(body, "\"traceId\":\"-\"");

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [GeneratedRegex("Created key '([^']+)'")]
    private static partial Regex AdminIdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HexHash();
}
