import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One refresh token of a session's rotation chain; only its SHA-256 is stored. */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @Column({ type: 'char', length: 64, unique: true })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** Set when the token was exchanged; presenting it again is reuse and revokes the session. */
  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
