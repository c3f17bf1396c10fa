using System.Text;
using System.Text.Json;

namespace DPoP.Http.Samples.Client;

/// <summary>
/// Sample-only: sits inside the DPoP handler and prints what goes on the wire, the proof's claims and each answer,
/// so the nonce challenges and retries are visible. Never do this in production: it shows parts of proofs.
/// </summary>
internal sealed class ConsoleTraceHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var proof = request.Headers.TryGetValues("DPoP", out var values) ? values.Single() : null;
        Console.WriteLine($"   {request.Method} {request.RequestUri}");
        if (proof is not null)
        {
            var claims = JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(proof.Split('.')[1])));
            var shown = claims.RootElement.EnumerateObject().Select(p => p.Name == "ath" || p.Name == "nonce" ? $"{p.Name}={Shorten(p.Value.ToString())}" : $"{p.Name}={p.Value}");
            Console.WriteLine($"     proof: {string.Join(", ", shown)}");
        }

        var response = await base.SendAsync(request, cancellationToken);
        var challenge = response.Headers.WwwAuthenticate.Count > 0 ? $" WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}" : "";
        var nonce = response.Headers.Contains("DPoP-Nonce") ? " (+DPoP-Nonce)" : "";
        Console.WriteLine($"     <- {(int)response.StatusCode} {response.ReasonPhrase}{nonce}{challenge}");
        return response;
    }

    private static string Shorten(string value) => value.Length <= 12 ? value : value[..8] + "…";
}
