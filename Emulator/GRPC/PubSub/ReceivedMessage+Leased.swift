import GoogleAPIsGRPC
import GoogleCloud
import SwiftProtobuf

extension Google_Pubsub_V1_ReceivedMessage {
    /// A leased message as `Pull` and `StreamingPull` hand it out; converted by hand, since every
    /// delivered message passes through here.
    init(_ leased: LeasedMessage) {
        self.init()
        ackID = leased.ackID.text
        message.data = leased.data
        message.attributes = leased.attributes ?? [:]
        message.messageID = String(leased.ackID.messageID)
        message.orderingKey = leased.orderingKey ?? ""
        let microseconds = leased.publishTime.microseconds
        message.publishTime = Google_Protobuf_Timestamp(seconds: microseconds / 1_000_000, nanos: Int32(microseconds % 1_000_000) * 1_000)
        deliveryAttempt = Int32(leased.deliveryAttempt ?? 0)
    }
}
