using System.Globalization;
using System.Text;

namespace Strata.Jobs.Redis;

/// <summary>
/// How a job is named in the search indexes: its creation time in UTC ticks (full precision, so a job created after
/// another in the same millisecond still sorts after it), 19 digits, then <c>:</c> and its id. In sorted sets of score 0 these order lexicographically by creation time, then id, which is the order of a
/// search (read backwards); a member is also an exact position to go on from, so the paging cursor is one, encoded.
/// </summary>
internal static class RedisIndexMember
{
    private const int TimeDigits = 19;

    public static string Of(DateTimeOffset createdAt, string jobId) => Time(createdAt) + ":" + jobId;

    /// <summary>The creation-time part alone: a bound that sorts before every member created at that millisecond.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The creation time a member holds (UTC, full precision).</summary>
    public static DateTimeOffset CreatedAt(string member) =>
        new(long.Parse(member.AsSpan(0, TimeDigits), NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>True for a member this version wrote (19-digit time, <c>:</c>, an id).</summary>
    public static bool IsMember(string member) =>
        member.Length > TimeDigits + 1 && member[TimeDigits] == ':' && member.AsSpan(0, TimeDigits).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>The job id in a member.</summary>
    public static string JobId(string member) => member[(TimeDigits + 1)..];

    /// <summary>The member as a cursor: base64url (no padding) of its UTF-8 bytes, which nobody should read into.</summary>
    public static string ToCursor(string member) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(member)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads a cursor made by <see cref="ToCursor"/>.</summary>
    /// <exception cref="ArgumentException">The cursor is not one of this backend's.</exception>
    public static string FromCursor(string cursor)
    {
        string? member = null;
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - (base64.Length % 4)) % 4);
            member = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
        }

        if (member is null || !IsMember(member))
        {
            throw new ArgumentException("The cursor was not made by this backend: pass null for the first page, then the NextCursor of the page before.", nameof(cursor));
        }

        return member;
    }
}
