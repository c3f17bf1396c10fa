using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>Reads a form body, turning a malformed one into null (a 400 for the caller) instead of a 500.</summary>
internal static class FormReader
{
    /// <summary>The request's form, or null when it is not a well-formed <c>application/x-www-form-urlencoded</c> body.</summary>
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
