using System.Text.Json;
using System.Text.RegularExpressions;

namespace DPoP.Http.InteropTests.Support;

/// <summary>
/// Registered after <c>AddDPoP()</c>, so it sits inside the DPoP handler and sees every attempt (the first one a
/// server challenges and the retry) with the proof that went with it.
/// </summary>
internal sealed partial class RecordingHandler(ExchangeRecorder recorder) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = (int)response.StatusCode == 400 ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : null;
        Record(request, response, body);
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = base.Send(request, cancellationToken);
        byte[]? body = null;
        if ((int)response.StatusCode == 400)
        {
            using var copy = new MemoryStream();
            response.Content.ReadAsStream(cancellationToken).CopyTo(copy);
            body = copy.ToArray();
        }

        Record(request, response, body);
        return response;
    }

    /// <param name="body">The body of a 400, read here; the response gets a copy that the DPoP handler and the caller can still read.</param>
    private void Record(HttpRequestMessage request, HttpResponseMessage response, byte[]? body)
    {
        var proofs = request.Headers.NonValidated.TryGetValues("DPoP", out var values) ? values.ToArray() : [];
        var proof = proofs.Length == 1 ? ProofContents.Decode(proofs[0]) : null;
        var authorization = request.Headers.Authorization;
        var accessToken = string.Equals(authorization?.Scheme, "DPoP", StringComparison.Ordinal) ? authorization!.Parameter : null;

        string? error = null;
        string? description = null;
        if (body is not null)
        {
            var copy = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers.NonValidated)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = copy;
            (error, description) = ReadJsonError(System.Text.Encoding.UTF8.GetString(body));
        }
        else if ((int)response.StatusCode == 401 && response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenges))
        {
            var challenge = string.Join(", ", challenges);
            error = ErrorParameter().Match(challenge) is { Success: true } e ? e.Groups[1].Value : null;
            description = DescriptionParameter().Match(challenge) is { Success: true } d ? QuotedPair().Replace(d.Groups[1].Value, "$1") : null;
        }

        recorder.Add(new Exchange(request.Method.Method, request.RequestUri!, proofs.Length, proof, (int)response.StatusCode, error, description, accessToken));
    }

    private static (string? Error, string? Description) ReadJsonError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return (
                root.TryGetProperty("error", out var e) ? e.GetString() : null,
                root.TryGetProperty("error_description", out var d) ? d.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, body);
        }
    }

    [GeneratedRegex(@"(?:^|[\s,])error=""([^""]*)""")]
    private static partial Regex ErrorParameter();

    [GeneratedRegex(@"error_description=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex DescriptionParameter();

    /// <summary>RFC 9110 §5.6.4: a quoted-pair stands for the character after the backslash.</summary>
    [GeneratedRegex(@"\\(.)")]
    private static partial Regex QuotedPair();
}
