using System.Security.Cryptography;

namespace Strata.Jobs;

/// <summary>
/// Job ids: <c>{queue}.{32 hex digits}</c>, 128 random bits from the OS generator. The random bytes are
/// drawn in batches per thread, so a busy producer does not pay a system call per job.
/// </summary>
internal static class JobIds
{
    private const int IdBytes = 16;
    private const int BatchIds = 64;

    private const string Digits = "0123456789abcdef";

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    public static string Create(string queue)
    {
        var buffer = t_buffer;
        if (buffer is null || t_next >= BatchIds)
        {
            buffer = t_buffer ??= new byte[IdBytes * BatchIds];
            RandomNumberGenerator.Fill(buffer);
            t_next = 0;
        }

        var offset = t_next++ * IdBytes;
        return string.Create(queue.Length + 1 + (IdBytes * 2), (queue, buffer, offset), static (span, state) =>
        {
            state.queue.AsSpan().CopyTo(span);
            span[state.queue.Length] = '.';
            var hex = span[(state.queue.Length + 1)..];
            for (var i = 0; i < IdBytes; i++)
            {
                var b = state.buffer[state.offset + i];
                hex[2 * i] = Digits[b >> 4];
                hex[(2 * i) + 1] = Digits[b & 0xF];
            }
        });
    }
}
