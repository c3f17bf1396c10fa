using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>The rules <see cref="DPoPTokenClientOptions"/> states as attributes (ranges), checked by code the Options source generator writes.</summary>
[OptionsValidator]
internal sealed partial class DPoPTokenClientOptionsAttributes : IValidateOptions<DPoPTokenClientOptions>;
