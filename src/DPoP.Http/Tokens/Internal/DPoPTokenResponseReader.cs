using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// Reads token endpoint answers (RFC 6749 §5.1, §5.2) defensively: a bounded body, fields checked for their JSON
/// type, and numbers turned into times without arithmetic that can overflow. Whatever the server sends ends as a
/// response or as a problem description for a <see cref="DPoPTokenException"/>; never as a parser or arithmetic
/// exception.
/// </summary>
internal static class DPoPTokenResponseReader
{
    /// <summary>The largest body read from the token endpoint (token responses are a few kilobytes).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The longest lifetime taken from <c>expires_in</c>; longer ones (up to infinity) are clamped to it.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>Reads the body, or returns null when it is longer than <see cref="MaxBodyBytes"/> (reading no further).</summary>
    /// <exception cref="HttpRequestException">The connection failed while the body was read.</exception>
    public static async Task<byte[]?> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var body = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                body.Write(chunk, 0, read);
            }

            return body.ToArray();
        }
        catch (IOException ex)
        {
            throw ResponseBodyReadFailure.From(ex, "The token endpoint's response body could not be read.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Reads a success body. Returns null with <paramref name="problem"/> set (naming the field, never quoting a
    /// value) when the body is not a JSON object with string <c>access_token</c> and <c>token_type</c>, or an optional
    /// field has the wrong JSON type.
    /// </summary>
    /// <param name="body">The response body.</param>
    /// <param name="now">The time the response arrived, for <see cref="DPoPTokenResponse.ExpiresAt"/>.</param>
    /// <param name="defaultLifetime">The lifetime when <c>expires_in</c> gives none.</param>
    /// <param name="problem">What is wrong, when the result is null.</param>
    public static DPoPTokenResponse? ReadSuccess(byte[] body, DateTimeOffset now, TimeSpan defaultLifetime, out string? problem)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the response is not a JSON object";
                return null;
            }

            if (!TryGetString(root, "access_token", out var accessToken) || accessToken is null)
            {
                problem = "access_token is missing or not a string";
                return null;
            }

            if (!DPoPSyntax.IsAccessToken(accessToken))
            {
                problem = "access_token is empty or not visible ASCII";
                return null;
            }

            if (!TryGetString(root, "token_type", out var tokenType) || tokenType is null)
            {
                problem = "token_type is missing or not a string";
                return null;
            }

            if (!TryGetString(root, "refresh_token", out var refreshToken))
            {
                problem = "refresh_token is not a string";
                return null;
            }

            if (!TryGetString(root, "scope", out var scope))
            {
                problem = "scope is not a string";
                return null;
            }

            if (!TryGetString(root, "id_token", out var idToken))
            {
                problem = "id_token is not a string";
                return null;
            }

            if (!TryGetLifetime(root, out var lifetime))
            {
                problem = "expires_in is not a number";
                return null;
            }

            problem = null;
            return new DPoPTokenResponse(accessToken, tokenType, AddClamped(now, lifetime ?? defaultLifetime), lifetime, refreshToken, scope, idToken);
        }
        catch (JsonException)
        {
            problem = "the response is not JSON";
            return null;
        }
    }

    /// <summary>Reads an error body's <c>error</c>, <c>error_description</c> and <c>error_uri</c>; each null when absent, malformed or of the wrong type.</summary>
    public static (string? Error, string? Description, string? Uri) ReadError(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            return (StringOrNull(json.RootElement, "error"), StringOrNull(json.RootElement, "error_description"), StringOrNull(json.RootElement, "error_uri"));
        }
        catch (JsonException)
        {
            return default;
        }

        static string? StringOrNull(JsonElement root, string name) => TryGetString(root, name, out var value) ? value : null;
    }

    /// <summary>
    /// The lifetime an <c>expires_in</c> value (in seconds) stands for: null for zero, negative, NaN and lifetimes
    /// under one tick (the server said nothing usable: the default lifetime applies); at most <see cref="MaxLifetime"/>,
    /// which also stands for infinity and numbers beyond <see cref="double"/>.
    /// </summary>
    public static TimeSpan? ToLifetime(double seconds)
    {
        if (!(seconds > 0))
        {
            return null;
        }

        if (seconds >= MaxLifetime.TotalSeconds)
        {
            return MaxLifetime;
        }

        var ticks = (long)(seconds * TimeSpan.TicksPerSecond);
        return ticks > 0 ? TimeSpan.FromTicks(ticks) : null;
    }

    /// <summary>
    /// <paramref name="time"/> + <paramref name="span"/> in UTC, saturating at <see cref="DateTimeOffset.MinValue"/>
    /// and <see cref="DateTimeOffset.MaxValue"/> instead of throwing (a clock near year 9999, a huge lifetime).
    /// </summary>
    public static DateTimeOffset AddClamped(DateTimeOffset time, TimeSpan span)
    {
        var ticks = time.UtcTicks;
        var max = DateTimeOffset.MaxValue.UtcTicks;
        var result = span.Ticks >= 0
            ? (span.Ticks >= max - ticks ? max : ticks + span.Ticks)
            : (span.Ticks <= -ticks ? 0 : ticks + span.Ticks);
        return new DateTimeOffset(result, TimeSpan.Zero);
    }

    /// <summary>
    /// The member named <paramref name="name"/>, the last one when the name repeats (as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>).
    /// A member whose name has escapes that are no Unicode text (a lone surrogate such as <c>\ud800</c>: valid JSON,
    /// but no .NET string) is not <paramref name="name"/>, and is skipped like any other name the client does not know
    /// (RFC 6749 §5.1), where <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> would throw.
    /// </summary>
    private static bool TryGetMember(JsonElement root, string name, out JsonElement value)
    {
        value = default;
        var found = false;
        foreach (var member in root.EnumerateObject())
        {
            if (NameEquals(member, name))
            {
                value = member.Value;
                found = true;
            }
        }

        return found;

        static bool NameEquals(JsonProperty member, string name)
        {
            try
            {
                return member.NameEquals(name);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>False when <paramref name="name"/> is present, not null and not a readable string; <paramref name="value"/> is null when absent or null.</summary>
    private static bool TryGetString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!TryGetMember(root, name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            value = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is valid JSON but no string .NET can hold.
            return false;
        }
    }

    /// <summary>False when <c>expires_in</c> is neither a number nor a string holding one; <paramref name="lifetime"/> is null when absent or not positive.</summary>
    private static bool TryGetLifetime(JsonElement root, out TimeSpan? lifetime)
    {
        lifetime = null;
        if (!TryGetMember(root, "expires_in", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        // GetDouble() refuses numbers beyond double's range (1e400); parsing the raw text gives ±infinity instead.
        var text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String when TryGetString(root, "expires_in", out var value) => value,
            _ => null,
        };
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        lifetime = ToLifetime(seconds);
        return true;
    }
}
