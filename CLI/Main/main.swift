import Foundation
import PixelPipeCLI

exit(await PixelPipeCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
